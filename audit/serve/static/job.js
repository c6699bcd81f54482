// Follows a queued audit: polls its job every second, shows the stage, opens the image page when stored.
(function () {
  'use strict';
  var card = document.getElementById('job');
  if (!card) { return; }
  var id = card.getAttribute('data-job');
  function show(name, text) { document.getElementById(name).textContent = text || ''; }
  function poll() {
    fetch('/api/v1/jobs/' + encodeURIComponent(id), {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show('job-status', job.status); show('job-stage', job.stage); show('job-message', job.message);
        if (job.status === 'done' && job.image_url) { window.location.assign(job.image_url); return; }
        if (job.status === 'failed') { show('job-error', job.error || 'the audit failed'); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
}());
