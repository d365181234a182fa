// Tradewind chat snippet. On your site:
//   <script src="https://tradewind.example.com/chat.js" data-title="Ask us" data-color="#0b5cad" defer></script>
// It adds a chat button that opens the Tradewind chat page in a panel.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__tradewindChat) return;
  window.__tradewindChat = true;

  var base = script.src.replace(/chat\.js(?:[?#].*)?$/, '');
  var title = script.getAttribute('data-title') || '';
  var color = script.getAttribute('data-color') || '#0b5cad';
  if (!/^#[0-9a-fA-F]{3,8}$/.test(color)) color = '#0b5cad';

  function mount() {
    var button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('aria-label', title || 'Chat');
    // A speech bubble; an emoji would depend on the visitor's fonts.
    button.innerHTML = '<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">' +
      '<path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
    button.style.cssText = 'position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;' +
      'background:' + color + ';color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;box-shadow:0 2px 8px rgba(0,0,0,.25);z-index:2147483646';
    var frame = null;
    button.addEventListener('click', function () {
      if (!frame) {
        frame = document.createElement('iframe');
        frame.src = base + 'chat?embed=1&color=' + encodeURIComponent(color) + (title ? '&title=' + encodeURIComponent(title) : '');
        frame.title = title || 'Chat';
        frame.style.cssText = 'position:fixed;right:20px;bottom:86px;width:min(380px,calc(100vw - 40px));' +
          'height:min(560px,calc(100vh - 120px));border:0;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.25);' +
          'background:#fff;z-index:2147483647';
        document.body.appendChild(frame);
      } else {
        frame.style.display = frame.style.display === 'none' ? 'block' : 'none';
      }
    });
    document.body.appendChild(button);
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
