// Live inbox: when the server says reviews changed, re-fetch the rows with
// the same filters and swap them in (focus and scroll stay where they are).
(function () {
  var rows = document.getElementById('rows');
  if (rows && window.EventSource) {
    var es = new EventSource(rows.getAttribute('data-live'));
    es.addEventListener('changed', function () {
      // The whole inbox under the same filters; only the rows and the
      // counts are swapped in.
      fetch('/console' + location.search, {credentials: 'same-origin'})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var newRows = doc.getElementById('rows');
          var newCounts = doc.getElementById('counts');
          var counts = document.getElementById('counts');
          if (newRows) { rows.innerHTML = newRows.innerHTML; }
          if (newCounts && counts) { counts.innerHTML = newCounts.innerHTML; }
          localTimes();
        });
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
