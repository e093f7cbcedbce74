// The pages' one script, progressive enhancement only: every page works without it. It shows a
// token's activation on hover or focus, and streams steering output from POST /steer/run (the
// page-side /api/steer, which knows the session) into the page.
export const SCRIPT = String.raw`
(function () {
  'use strict';
  var tip;
  function showTip(el) {
    if (!tip) { tip = document.createElement('div'); tip.id = 'tip'; tip.setAttribute('role', 'tooltip'); document.body.appendChild(tip); }
    // The value, and the raw token when the page shows it otherwise (Ġ as a space, Ċ as ↵).
    tip.textContent = '';
    var v = document.createElement('span'); v.className = 'v'; v.textContent = el.getAttribute('data-v'); tip.appendChild(v);
    var raw = el.getAttribute('data-raw');
    if (raw !== null) { var r0 = document.createElement('span'); r0.className = 'raw'; r0.textContent = JSON.stringify(raw); tip.appendChild(r0); }
    el.setAttribute('aria-describedby', 'tip');
    var r = el.getBoundingClientRect();
    tip.style.left = Math.max(4, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - 80)) + 'px';
    tip.style.top = (window.scrollY + r.top - 28) + 'px';
    tip.hidden = false;
  }
  function hideTip() { if (tip) tip.hidden = true; }
  document.addEventListener('mouseover', function (e) {
    var el = e.target.closest && e.target.closest('[data-v]');
    if (el) showTip(el); else hideTip();
  });
  document.addEventListener('focusin', function (e) { var el = e.target.closest && e.target.closest('[data-v]'); if (el) showTip(el); else hideTip(); });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') hideTip(); });

  // Steering: send the form to /steer/run (with the form's CSRF token) with stream: true and write each frame as it comes.
  var form = document.getElementById('steer-form');
  if (!form) return;
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var status = document.getElementById('steer-status');
    var outDefault = document.getElementById('out-default');
    var outSteered = document.getElementById('out-steered');
    var share = document.getElementById('steer-share');
    var fd = new FormData(form);
    var features = [];
    var refs = fd.getAll('feature'), strengths = fd.getAll('strength');
    for (var i = 0; i < refs.length; i++) {
      var ref = String(refs[i]).trim();
      if (!ref) continue;
      var parts = ref.replace(/^\/+|\/+$/g, '').split('/');
      if (parts.length !== 3) { status.textContent = 'Type each feature as model/source/index, e.g. gpt2-small/6-res-jb/5.'; return; }
      features.push({ modelId: parts[0], layer: parts[1], index: parts[2], strength: Number(strengths[i] || 0) });
    }
    var body = {
      modelId: String(fd.get('modelId')), prompt: String(fd.get('prompt')), features: features,
      temperature: Number(fd.get('temperature')), n_tokens: Number(fd.get('n_tokens')), freq_penalty: Number(fd.get('freq_penalty')),
      seed: Number(fd.get('seed')), strength_multiplier: Number(fd.get('strength_multiplier')), stream: true
    };
    status.textContent = 'Generating…'; outDefault.textContent = ''; outSteered.textContent = ''; share.innerHTML = '';
    fetch('/steer/run', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': form.getAttribute('data-csrf') }, body: JSON.stringify(body) }).then(function (res) {
      if (!res.ok || !res.body) return res.json().then(function (err) { status.textContent = err.message || ('Error ' + res.status); });
      var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = '', last = null;
      function frame(text) {
        var data = text.split('\n').filter(function (l) { return l.indexOf('data:') === 0; }).map(function (l) { return l.slice(5).trim(); }).join('\n');
        if (!data) return;
        var msg = JSON.parse(data);
        if (msg.error) { status.textContent = msg.message || msg.error; return; }
        last = msg;
        if (typeof msg.DEFAULT === 'string') outDefault.textContent = msg.DEFAULT;
        if (typeof msg.STEERED === 'string') outSteered.textContent = msg.STEERED;
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) {
            if (buffer.trim()) frame(buffer);
            status.textContent = 'Done.';
            if (last && last.id) { var a = document.createElement('a'); a.href = '/steer/' + encodeURIComponent(last.id); a.textContent = 'Link to this result'; share.appendChild(a); }
            return;
          }
          buffer += decoder.decode(r.value, { stream: true });
          var at;
          while ((at = buffer.indexOf('\n\n')) >= 0) { frame(buffer.slice(0, at)); buffer = buffer.slice(at + 2); }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) { status.textContent = 'The request failed: ' + err.message; });
  });
})();
`;
