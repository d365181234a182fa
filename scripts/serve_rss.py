#!/usr/bin/env python3
# Drives a running `tradewind serve` through its HTTP API, the way the web
# chat does: one new chat per inquiry, a varied message (product, quantity,
# destination, terms, company, English or Chinese), then waits for the
# reply on the chat's event stream. Prints the server's RSS at the marks.
#   python3 scripts/serve_rss.py PORT SERVE_PID TOTAL CLIENTS 1000,5000,20000
# Serve with rate limits raised for it (one address sends everything):
#   [http] rate_per_ip_per_min = 10000000, burst_per_ip = 100000,
#          rate_per_chat_per_min = 100000, burst_per_chat = 1000
import http.client, json, random, sys, threading, time
PORT=int(sys.argv[1]); PID=int(sys.argv[2]); TOTAL=int(sys.argv[3]); THREADS=int(sys.argv[4])
marks=[int(x) for x in sys.argv[5].split(',')]
prods=["48V 20Ah e-bike battery packs","36V 10Ah downtube batteries","5 kW hybrid inverters","10kW three phase hybrid inverters",
"100W LED street lights","60W solar street lights","LED panel lights 600x600","E27 LED bulbs 9W","LED high bay lights 150W","3 kW off-grid inverters",
"电动自行车电池包48V 20Ah","5千瓦混合逆变器","LED路灯100W","太阳能路灯60W","hydrogen fuel cells","T8 1.2m 18W LED tubes"]
dests=["Hamburg, Germany","Gdansk, Poland","Mombasa","Durban","Dubai","Rotterdam","Manila","Santos, Brazil","Lagos","Antwerp","汉堡","迪拜","悉尼","Jakarta"]
comps=["Nordlicht Energie GmbH","Baltic Bikes Sp. z o.o.","Coast Lighting Ltd","Karoo Solar Pty Ltd","Gulf Lights LLC","上海启航贸易有限公司",""]
terms=["CIF","FOB Ningbo","DAP","CFR","EXW",""]
def msg(i):
    r=random.Random(i)
    p=r.choice(prods); q=r.choice([50,120,300,500,800,1200,2000]); d=r.choice(dests); c=r.choice(comps); t=r.choice(terms)
    if r.random()<0.3: return f"需要{q}个{p}，{t}，发到{d}。{c}"
    return f"Hi, please quote {q} {p}, {t} delivery to {d}. {c} ref {i}"
lock=threading.Lock(); done=[0]; errs=[0]; nxt=[0]
def rss():
    for l in open(f"/proc/{PID}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1])//1024
def worker():
    conn=http.client.HTTPConnection("127.0.0.1",PORT,timeout=60)
    while True:
        with lock:
            if nxt[0]>=TOTAL: return
            i=nxt[0]; nxt[0]+=1
        try:
            conn=http.client.HTTPConnection("127.0.0.1",PORT,timeout=60)
            conn.request("POST","/v1/chats",body="{}",headers={"content-type":"application/json"})
            r=conn.getresponse(); v=json.loads(r.read()); chat=v["chat_id"]; tok=v["chat_token"]
            ev=http.client.HTTPConnection("127.0.0.1",PORT,timeout=60)
            ev.request("GET",f"/v1/chats/{chat}/events?token={tok}")
            er=ev.getresponse()
            conn.request("POST","/v1/messages",body=json.dumps({"chat_id":chat,"chat_token":tok,"text":msg(i)}),headers={"content-type":"application/json"})
            r=conn.getresponse(); r.read()
            if r.status!=202: raise Exception(f"status {r.status}")
            buf=b""
            while b"event: reply" not in buf:
                ch=er.read1(4096) if hasattr(er,'read1') else er.read(1)
                if not ch: raise Exception("stream closed")
                buf+=ch
            ev.close(); conn.close()
            with lock: done[0]+=1
        except Exception as e:
            with lock: errs[0]+=1
            if errs[0]<5: print("error",i,repr(e),flush=True)
            conn=http.client.HTTPConnection("127.0.0.1",PORT,timeout=60)
ts=[threading.Thread(target=worker,daemon=True) for _ in range(THREADS)]
t0=time.time(); [t.start() for t in ts]
print(f"start rss {rss()} MB",flush=True)
mi=0
while any(t.is_alive() for t in ts):
    time.sleep(0.2)
    with lock: d=done[0]+errs[0]
    while mi<len(marks) and d>=marks[mi]:
        print(f"after {marks[mi]:>6} inquiries: rss {rss()} MB  ({time.time()-t0:.0f} s, errors {errs[0]})",flush=True); mi+=1
print(f"done {done[0]} errors {errs[0]} in {time.time()-t0:.0f} s; rss {rss()} MB",flush=True)
