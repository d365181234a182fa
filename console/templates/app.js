// Live inbox: when the server says reviews changed, re-fetch the rows with
// the same filters and swap them in (focus and scroll stay where they are).
(function () {
  var rows = document.getElementById('rows');
  if (rows && window.EventSource) {
    var es = new EventSource(rows.getAttribute('data-live'));
    es.addEventListener('changed', function () {
      var q = new URLSearchParams(location.search);
      q.set('fragment', 'rows');
      fetch('/console?' + q.toString(), {credentials: 'same-origin'})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { rows.innerHTML = html; localTimes(); } });
    });
  }
  function localTimes() {
    document.querySelectorAll('time[data-ms]').forEach(function (t) {
      var ms = parseInt(t.getAttribute('data-ms'), 10);
      if (ms > 0) { t.textContent = new Date(ms).toLocaleString(); }
    });
  }
  localTimes();
})();
