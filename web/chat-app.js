// Tradewind web chat: posts the customer's messages to /v1/messages and
// shows the replies that arrive on the chat's event stream. Paths are
// relative so the page also works behind a path prefix.
(function () {
  'use strict';

  var zh = /^zh\b/i.test(navigator.language || '');
  var ui = zh
    ? { title: '在线咨询', placeholder: '请输入您的问题…', send: '发送', typing: '正在回复…', network: '网络错误，请重试。', failed: '抱歉，出错了，请稍后再试。' }
    : { title: 'Chat with us', placeholder: 'Type your message…', send: 'Send', typing: 'Replying…', network: 'Network error. Please try again.', failed: 'Sorry, something went wrong. Please try again.' };

  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var input = document.getElementById('text');
  var send = document.getElementById('send');
  var params = new URLSearchParams(location.search);
  document.getElementById('title').textContent = params.get('title') || ui.title;
  var accent = params.get('color');
  if (accent && /^#[0-9a-fA-F]{3,8}$/.test(accent)) document.documentElement.style.setProperty('--accent', accent);
  input.placeholder = ui.placeholder;
  send.textContent = ui.send;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // One conversation per browser (per embedding site, where storage is partitioned).
  var KEY = 'tradewind.chat_id';
  var chatId = null;
  try { chatId = localStorage.getItem(KEY); } catch (e) { /* storage blocked: a fresh chat per visit */ }
  if (!chatId || !/^[A-Za-z0-9_.:-]{1,128}$/.test(chatId)) {
    chatId = newId();
    try { localStorage.setItem(KEY, chatId); } catch (e) { /* see above */ }
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

  var events = new EventSource('v1/chats/' + encodeURIComponent(chatId) + '/events');
  events.addEventListener('reply', function (e) {
    var r;
    try { r = JSON.parse(e.data); } catch (x) { return; }
    setTyping(false);
    add(r.failed ? 'error' : 'bot', r.text || ui.failed);
    if (r.quick_replies && r.quick_replies.length) quickReplies(r.quick_replies);
  });

  function submit() {
    var text = input.value.trim();
    if (!text) return;
    add('me', text);
    input.value = '';
    setTyping(true);
    fetch('v1/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: text, message_id: newId() })
    }).then(function (res) {
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
