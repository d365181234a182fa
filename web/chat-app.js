// Tradewind web chat: asks the server for a chat (an id and the token that
// opens it), posts the customer's messages to /v1/messages with that token,
// and shows the replies that arrive on the chat's event stream, each answer
// with a "Not helpful" button that sends the customer's verdict the same
// way. Paths are relative so the page also works behind a path prefix.
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  // ?lang= wins over the browser's language, so a site can pick it.
  var zh = params.get('lang') ? params.get('lang') === 'zh' : /^zh\b/i.test(navigator.language || '');
  document.documentElement.lang = zh ? 'zh-CN' : 'en';
  var ui = zh
    ? { title: '在线咨询', placeholder: '请输入您的问题…', send: '发送', typing: '正在回复…', network: '网络错误，请重试。', failed: '抱歉，出错了，请稍后再试。', notHelpful: '没有帮助' }
    : { title: 'Chat with us', placeholder: 'Type your message…', send: 'Send', typing: 'Replying…', network: 'Network error. Please try again.', failed: 'Sorry, something went wrong. Please try again.', notHelpful: 'Not helpful' };

  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var input = document.getElementById('text');
  var send = document.getElementById('send');
  document.getElementById('title').textContent = params.get('title') || ui.title;
  var accent = params.get('color');
  if (accent && /^#[0-9a-fA-F]{3,8}$/.test(accent)) document.documentElement.style.setProperty('--accent', accent);
  input.placeholder = ui.placeholder;
  send.textContent = ui.send;

  // The company's branding, greeting and starter prompts (the `[chat]`
  // settings); the page works without them.
  var lang = zh ? 'zh' : 'en';
  fetch('chat/config.json').then(function (r) { return r.ok ? r.json() : null; }).then(function (c) {
    if (!c) return;
    if (!params.get('title') && c.company && c.company[lang]) {
      document.getElementById('title').textContent = c.company[lang];
      document.title = c.company[lang];
    }
    if (c.logo_url) { var img = document.getElementById('logo'); img.src = c.logo_url; img.hidden = false; }
    if (!accent && c.accent) document.documentElement.style.setProperty('--accent', c.accent);
    if (!log.querySelector('.me')) {
      if (c.greeting && c.greeting[lang]) add('bot greeting', c.greeting[lang]);
      var starters = (c.starters && c.starters[lang]) || [];
      if (starters.length) {
        var box = document.createElement('div');
        box.className = 'starters';
        box.id = 'starters';
        starters.forEach(function (text) {
          var b = document.createElement('button');
          b.type = 'button';
          b.textContent = text;
          b.addEventListener('click', function () { box.remove(); input.value = text; submit(); });
          box.appendChild(b);
        });
        log.appendChild(box);
      }
    }
  }).catch(function () { /* no branding: the defaults stay */ });

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // One conversation per browser (per embedding site, where storage is
  // partitioned). The server issues the chat id with a token; without the
  // token nobody can read the chat's replies, so both are kept together.
  var KEY = 'tradewind.chat';
  var chat = null;
  try { chat = JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { chat = null; }
  if (!chat || !/^[A-Za-z0-9_.:-]{1,128}$/.test(chat.chat_id || '') || !/^[A-Za-z0-9_-]{16,128}$/.test(chat.chat_token || '')) {
    chat = null;
  }

  function add(kind, text) {
    var div = document.createElement('div');
    div.className = 'msg ' + kind;
    div.textContent = text; // never innerHTML: replies are text
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  var typing = null;
  function setTyping(on) {
    if (on && !typing) { typing = add('typing', ui.typing); }
    if (!on && typing) { typing.remove(); typing = null; }
  }

  function quickReplies(list) {
    var box = document.createElement('div');
    box.className = 'quick';
    list.forEach(function (q) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = q.label;
      b.addEventListener('click', function () {
        add('me', q.label);
        add('bot', q.answer);
      });
      box.appendChild(b);
    });
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  // Mostly Han script: the rule the server's own messages use.
  function mostlyChinese(text) {
    var han = (text.match(/[\u4e00-\u9fff]/g) || []).length;
    var letters = (text.match(/\p{L}/gu) || []).length;
    return han > 0 && han * 2 >= letters;
  }

  // The server gives a verdict this message id; its acknowledgement is not
  // an answer to rate.
  function isFeedbackReply(messageId) {
    return /\/feedback\//.test(messageId || '');
  }

  // The customer's verdict goes through the chat's own message endpoint,
  // with its token and limits; the server replaces any text with a marker.
  function sendFeedback(button, inquiryId) {
    button.disabled = true;
    ready.then(function (c) {
      return fetch('v1/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Chat-Token': c.chat_token },
        body: JSON.stringify({ chat_id: c.chat_id, text: 'not helpful', feedback: { inquiry_id: inquiryId, helpful: false } })
      });
    }).then(function (res) {
      if (res.ok) return;
      return res.json().catch(function () { return {}; }).then(function (body) {
        add('error', body.message || ui.failed);
      });
    }).catch(function () {
      button.disabled = false;
      add('error', ui.network);
    });
  }

  function feedbackButton(r) {
    var box = document.createElement('div');
    box.className = 'feedback';
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'not-helpful';
    b.setAttribute('data-inquiry-id', r.inquiry_id);
    b.textContent = mostlyChinese(r.text || '') ? '没有帮助' : ui.notHelpful;
    b.addEventListener('click', function () { sendFeedback(b, r.inquiry_id); });
    box.appendChild(b);
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  function listen() {
    var url = 'v1/chats/' + encodeURIComponent(chat.chat_id) + '/events?token=' + encodeURIComponent(chat.chat_token);
    var events = new EventSource(url);
    events.addEventListener('reply', function (e) {
      var r;
      try { r = JSON.parse(e.data); } catch (x) { return; }
      setTyping(false);
      add(r.failed ? 'error' : 'bot', r.text || ui.failed);
      if (!r.failed && r.inquiry_id && !isFeedbackReply(r.message_id)) feedbackButton(r);
      if (r.quick_replies && r.quick_replies.length) quickReplies(r.quick_replies);
    });
  }

  // A stored chat, or a new one from the server.
  var ready = chat ? Promise.resolve(chat) : fetch('v1/chats', { method: 'POST' }).then(function (res) {
    if (!res.ok) throw new Error('chat ' + res.status);
    return res.json();
  }).then(function (c) {
    chat = { chat_id: c.chat_id, chat_token: c.chat_token };
    try { localStorage.setItem(KEY, JSON.stringify(chat)); } catch (e) { /* storage blocked: a fresh chat per visit */ }
    return chat;
  });
  ready.then(listen).catch(function () { add('error', ui.network); });

  function submit() {
    var text = input.value.trim();
    if (!text) return;
    var starters = document.getElementById('starters');
    if (starters) starters.remove();
    add('me', text);
    input.value = '';
    setTyping(true);
    ready.then(function (c) {
      return fetch('v1/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Chat-Token': c.chat_token },
        body: JSON.stringify({ chat_id: c.chat_id, text: text, message_id: newId() })
      });
    }).then(function (res) {
      if (res.status === 401 || res.status === 403) {
        // The server no longer knows this chat's token (its secret changed): start afresh.
        try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
      }
      if (res.ok) return;
      return res.json().catch(function () { return {}; }).then(function (body) {
        setTyping(false);
        add('error', body.message || ui.failed);
      });
    }).catch(function () {
      setTyping(false);
      add('error', ui.network);
    });
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
})();
