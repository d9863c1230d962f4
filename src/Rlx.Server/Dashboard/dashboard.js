'use strict';
// The Rlx head dashboard: plain DOM and hand-drawn SVG charts, no libraries and no build step.
(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const num = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v)) ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d });
  const bytes = (b) => { if (!b) return '0 B'; const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']; let i = 0; while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; } return `${b.toFixed(i ? 1 : 0)} ${u[i]}`; };
  const ago = (t) => { const s = (Date.now() - new Date(t).getTime()) / 1000; return s < 1 ? 'now' : s < 120 ? `${s.toFixed(0)} s ago` : `${(s / 60).toFixed(0)} min ago`; };
  const duration = (ms) => ms < 1000 ? `${ms} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60000).toFixed(1)} min`;
  const short = (v) => { const a = Math.abs(v); return a >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : a >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : num(v, a >= 100 ? 0 : 2); };
  const pct = (used, total) => total > 0 ? Math.min(100, 100 * used / total) : 0;
  const state = { cluster: null, jobs: [], runs: [], throughput: [], view: 'overview', jobId: null, run: null, experiment: null, rows: {}, seq: {}, socket: null, first: true };

  async function get(path) {
    const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) { location.href = '/login'; throw new Error('login required'); }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  function table(headers, rows, id) {
    return `<table${id ? ` data-testid="${id}"` : ''}><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }

  function card(label, value, used, total) {
    const bar = total === undefined ? '' : `<div class="bar"><span style="width:${pct(used, total).toFixed(1)}%"></span></div>`;
    return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${value}</div>${bar}</div>`;
  }

  // A line chart: series = [{ name, color, points: [[x, y], ...] }].
  function chart(el, series, xLabel) {
    const all = series.flatMap((s) => s.points);
    el.dataset.points = String(all.length);
    if (all.length === 0) { el.innerHTML = '<svg viewBox="0 0 600 220"><text x="300" y="110" text-anchor="middle" fill="#667085">no data yet</text></svg>'; return; }
    const W = 600, H = 220, L = 56, R = 12, T = 12, B = 28;
    let x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
    let y0 = Math.min(...all.map((p) => p[1])), y1 = Math.max(...all.map((p) => p[1]));
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { y1 += Math.abs(y1) * 0.1 || 1; y0 -= Math.abs(y0) * 0.1 || 1; }
    const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R), sy = (y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
    const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => { const y = y0 + f * (y1 - y0); return `<line x1="${L}" x2="${W - R}" y1="${sy(y)}" y2="${sy(y)}" stroke="#edf0f4"/><text x="${L - 4}" y="${sy(y) + 4}" text-anchor="end" font-size="10" fill="#667085">${esc(short(y))}</text>`; }).join('');
    const lines = series.filter((s) => s.points.length).map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ')}"><title>${esc(s.name)}</title></polyline>`).join('');
    // Up to four series are named in the chart; more (a tuning experiment's trials) are named where they are listed.
    const legend = series.filter((s) => s.points.length).length > 4 ? '' : series.filter((s) => s.points.length).map((s, i) => `<text class="legend" x="${L + 8 + i * 150}" y="${T + 10}" fill="${s.color}">${esc(s.name)}</text>`).join('');
    el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img">${grid}<text x="${L}" y="${H - 8}" font-size="10" fill="#667085">${esc(num(x0, 0))}</text><text x="${W - R}" y="${H - 8}" text-anchor="end" font-size="10" fill="#667085">${esc(xLabel)} ${esc(num(x1, 0))}</text>${lines}${legend}</svg>`;
  }

  function renderOverview() {
    const c = state.cluster; if (!c) return;
    const s = c.summary;
    const jobsBy = (st) => state.jobs.filter((j) => j.status === st).length;
    $('overview-cards').innerHTML = [
      card('CPUs used / total', `${num(s.cpus_used)} / ${num(s.cpus_total)}`, s.cpus_used, s.cpus_total),
      card('Memory used / total', `${bytes(s.memory_used_bytes)} / ${bytes(s.memory_total_bytes)}`, s.memory_used_bytes, s.memory_total_bytes),
      card('Nodes alive / dead', `<span data-testid="nodes-alive">${s.nodes_alive}</span> / <span class="state-dead">${s.nodes_dead}</span>`),
      card('Runners running / idle / dead', `<span data-testid="runners-running">${s.runners_running}</span> / ${s.runners_idle} / <span class="state-dead">${s.runners_dead}</span>`),
      card('Jobs running / pending / finished', `${jobsBy('RUNNING')} / ${jobsBy('PENDING')} / ${state.jobs.length - jobsBy('RUNNING') - jobsBy('PENDING')}`),
      card('Env steps/s', `<span data-testid="throughput">${num(s.env_steps_per_second, 0)}</span>`),
    ].join('');
    chart($('throughput-chart'), [{ name: 'env steps/s', color: '#2459d1', points: state.throughput }], 's');
    $('overview-jobs').innerHTML = jobsTable(state.jobs.slice(-10).reverse());
  }

  function renderNodes() {
    const c = state.cluster; if (!c) return;
    $('nodes-table').innerHTML = table(['node', 'role', 'host', 'pid', 'state', 'CPU used / total', 'memory used / total', 'last heartbeat', 'processes (CPU %, memory)'],
      c.nodes.map((n) => `<tr data-node="${esc(n.id)}"><td>${esc(n.id)}</td><td>${esc(n.role)}</td><td>${esc(n.host)}</td><td>${n.pid}</td><td class="state state-${n.alive ? 'alive' : 'dead'}">${n.alive ? 'alive' : 'dead'}</td><td>${num(n.cpus_used)} / ${num(n.cpus_total)}</td><td>${bytes(n.memory_used_bytes)} / ${bytes(n.memory_total_bytes)}</td><td>${esc(ago(n.last_heartbeat))}</td><td class="wrap">${n.processes.map((p) => `${esc(p.name)} (${p.pid}): ${num(p.cpu_percent)}%, ${bytes(p.memory_bytes)}`).join('<br>')}</td></tr>`), 'nodes');
  }

  function renderRunners() {
    const c = state.cluster; if (!c) return;
    const s = c.summary;
    $('runners-counts').textContent = `${s.runners_running} running, ${s.runners_idle} idle, ${s.runners_dead} dead`;
    $('runners-table').innerHTML = table(['runner', 'node', 'state', 'CPUs', 'memory', 'restarts', 'run', 'last error'],
      c.runners.map((r) => `<tr data-runner="${esc(r.id)}"><td>${esc(r.id)}</td><td>${esc(r.node_id)}</td><td class="state state-${esc(r.state)}">${esc(r.state)}</td><td>${num(r.cpus)}</td><td>${bytes(r.memory_bytes)}</td><td class="restarts">${r.restart_count}</td><td>${esc(r.run_id ?? '')}</td><td class="wrap">${esc(r.last_error ?? '')}</td></tr>`), 'runners');
  }

  function jobsTable(jobs) {
    const now = Date.now();
    return table(['submission id', 'status', 'entrypoint', 'started', 'duration', 'message'],
      jobs.map((j) => `<tr data-job="${esc(j.submission_id)}"><td><a class="job-link" href="#jobs/${encodeURIComponent(j.submission_id)}">${esc(j.submission_id)}</a></td><td class="state state-${esc(j.status)}">${esc(j.status)}</td><td class="wrap"><code>${esc(j.entrypoint)}</code></td><td>${j.start_time ? new Date(j.start_time).toLocaleTimeString() : ''}</td><td>${j.start_time ? duration((j.end_time ?? now) - j.start_time) : ''}</td><td class="wrap">${esc(j.message)}</td></tr>`), 'jobs');
  }

  function renderJobs() {
    $('jobs-table').innerHTML = jobsTable([...state.jobs].reverse());
    const detail = $('job-detail');
    const job = state.jobs.find((j) => j.submission_id === state.jobId);
    detail.hidden = !job;
    if (!job) { closeSocket(); return; }
    $('job-title').textContent = `Job ${job.submission_id}`;
    $('job-fields').innerHTML = table(['status', 'entrypoint', 'exit code', 'duration', 'runtime env', 'metadata'],
      [`<tr><td class="state state-${esc(job.status)}" data-testid="job-status">${esc(job.status)}</td><td class="wrap"><code>${esc(job.entrypoint)}</code></td><td>${job.driver_exit_code ?? ''}</td><td>${job.start_time ? duration((job.end_time ?? Date.now()) - job.start_time) : ''}</td><td class="wrap"><code>${esc(JSON.stringify(job.runtime_env ?? {}))}</code></td><td class="wrap"><code>${esc(JSON.stringify(job.metadata ?? {}))}</code></td></tr>`]);
    if (!state.socket || state.socket.jobId !== job.submission_id) followLogs(job.submission_id);
  }

  function closeSocket() { if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; } }

  function followLogs(id) {
    closeSocket();
    const pre = $('job-logs');
    pre.textContent = '';
    $('job-log-state').textContent = '(following)';
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/jobs/${encodeURIComponent(id)}/logs/tail`);
    socket.jobId = id;
    socket.onmessage = (e) => { const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4; pre.textContent += e.data; if (atEnd) pre.scrollTop = pre.scrollHeight; };
    socket.onclose = () => { $('job-log-state').textContent = '(job ended)'; };
    state.socket = socket;
  }

  const runColors = ['#2459d1', '#12805c', '#b54708', '#7a2bd1', '#b42318'];
  function points(rows, ...keys) {
    for (const key of keys) {
      const p = rows.filter((r) => r.values[key] !== undefined).map((r) => [r.iteration, r.values[key]]);
      if (p.length) return p;
    }
    return [];
  }

  // A run's rows, fetched incrementally; rows a concurrent fetch already added are not added twice.
  async function fetchRows(run) {
    const fresh = await get(`/api/rlx/runs/${encodeURIComponent(run)}/metrics?after=${state.seq[run] ?? -1}`);
    const rows = (state.rows[run] ??= []);
    rows.push(...fresh.rows.filter((r) => r.sequence > (state.seq[run] ?? -1)));
    if (rows.length) state.seq[run] = rows[rows.length - 1].sequence;
    if (rows.length > 4000) rows.splice(0, rows.length - 4000);
    return rows;
  }

  async function renderTraining() {
    const select = $('run-select');
    const ids = state.runs.map((r) => r.run_id);
    if (select.options.length !== ids.length || [...select.options].some((o, i) => o.value !== ids[i])) {
      select.innerHTML = ids.map((id) => `<option value="${esc(id)}">${esc(id)}</option>`).join('');
      if (state.run && ids.includes(state.run)) select.value = state.run;
    }
    state.run = select.value || ids[0] || null;
    if (!state.run) { $('run-info').textContent = 'No training run has sent metrics yet: rlx train ... --dashboard URL (or RLX_DASHBOARD_URL) pushes them here.'; return; }
    const run = state.run;
    const rows = await fetchRows(run);
    const last = rows[rows.length - 1];
    $('run-info').textContent = last ? `iteration ${last.iteration}, ${num(last.values.timesteps_total ?? 0, 0)} env steps, ${num(last.time_s)} s` : '';
    chart($('chart-return'), [
      { name: 'return (last 20 episodes)', color: runColors[0], points: points(rows, 'episode_return_mean') },
      { name: 'charts/episodic_return', color: runColors[1], points: points(rows, 'charts/episodic_return') }], 'iteration');
    const lossKeys = [...new Set(rows.flatMap((r) => Object.keys(r.values)).filter((k) => k.startsWith('losses/')))].filter((k) => /value_loss|policy_loss|entropy|td_loss|qf_loss|actor_loss/.test(k)).slice(0, 4);
    chart($('chart-losses'), lossKeys.map((k, i) => ({ name: k, color: runColors[i], points: points(rows, k) })), 'iteration');
    chart($('chart-sps'), [{ name: 'env steps/s', color: runColors[0], points: points(rows, 'charts/SPS', 'env_steps_per_s') }], 'iteration');
    chart($('chart-latency'), [{ name: 'rollout ms', color: runColors[2], points: points(rows, 'timers/sample_time_ms') }], 'iteration');
    const rated = rows.some((r) => 'self_play/learner_rating' in r.values);
    $('figure-rating').hidden = !rated;
    if (rated) {
      chart($('chart-rating'), [
        { name: 'learner', color: runColors[0], points: points(rows, 'self_play/learner_rating') },
        { name: 'newest snapshot when taken', color: runColors[1], points: points(rows, 'self_play/newest_snapshot_rating') }], 'iteration');
    }
  }

  // Tuning: an experiment's trials (values, status, metric; best first) and each trial's metric against timesteps.
  const trialColors = ['#2459d1', '#12805c', '#b54708', '#7a2bd1', '#b42318', '#0e7090', '#c11574', '#4e5ba6', '#66c61c', '#667085'];
  async function renderTuning() {
    const select = $('experiment-select');
    const list = await get('/api/rlx/experiments');
    const ids = list.map((e) => e.experiment_id);
    if (select.options.length !== ids.length || [...select.options].some((o, i) => o.value !== ids[i])) {
      select.innerHTML = ids.map((id) => `<option value="${esc(id)}">${esc(id)}</option>`).join('');
      if (state.experiment && ids.includes(state.experiment)) select.value = state.experiment;
    }
    state.experiment = select.value || ids[0] || null;
    if (!state.experiment) { $('experiment-info').textContent = 'No tuning experiment has sent its state yet: rlx tune ... --dashboard URL sends it here.'; return; }
    const id = state.experiment;
    const exp = await get(`/api/rlx/experiments/${encodeURIComponent(id)}`);
    const sign = exp.mode === 'min' ? -1 : 1;
    const score = (t) => (t.metric === null || t.metric === undefined || t.status === 'error') ? -Infinity : sign * t.metric;
    const trials = [...exp.trials].sort((a, b) => score(b) - score(a) || a.index - b.index);
    const keys = Object.keys(exp.space).filter((k) => { const v = exp.space[k]; return v && typeof v === 'object' && !Array.isArray(v); });
    const count = (st) => exp.trials.filter((t) => t.status === st).length;
    $('experiment-info').textContent = `${exp.algorithm}, ${exp.search} search, ${exp.scheduler}: ${exp.trials.length} trials made (${count('running')} running, ${count('terminated')} finished, ${count('stopped')} stopped, ${count('error')} failed); ranked by ${exp.metric} (${exp.mode})`;
    $('trials-table').innerHTML = table(['rank', 'trial', 'status', exp.metric, 'timesteps', ...keys],
      trials.map((t, i) => `<tr data-trial="${esc(t.name)}"><td>${i + 1}</td><td><a href="#training/${encodeURIComponent(`${id}.${t.name}`)}"${i < 10 ? ` style="color:${trialColors[i]}"` : ''}>${esc(t.name)}</a></td><td class="state state-${esc(t.status)}">${esc(t.status)}</td><td class="metric">${num(t.metric, 2)}</td><td>${num(t.timesteps_total, 0)}</td>${keys.map((k) => `<td>${esc(Array.isArray(t.params[k]) ? t.params[k].join(',') : typeof t.params[k] === 'number' ? Number(t.params[k].toPrecision(4)) : t.params[k])}</td>`).join('')}</tr>`), 'trials');
    // The best ten trials' curves, fetched incrementally like a run's.
    const shown = trials.slice(0, 10);
    const series = [];
    for (const [i, t] of shown.entries()) {
      const run = `${id}.${t.name}`;
      try { await fetchRows(run); } catch { /* a trial that has sent no rows yet */ }
      const rows = state.rows[run] ?? [];
      series.push({ name: t.name, color: trialColors[i % trialColors.length], points: rows.filter((r) => r.values[exp.metric] !== undefined).map((r) => [r.values.timesteps_total ?? r.iteration, r.values[exp.metric]]) });
    }
    $('trials-chart-caption').textContent = `${exp.metric} of the ${shown.length} best trials`;
    chart($('chart-trials'), series, 'timesteps');
  }

  function route() {
    const [view, arg] = (location.hash.slice(1) || 'overview').split('/');
    state.view = ['overview', 'nodes', 'runners', 'jobs', 'training', 'tuning'].includes(view) ? view : 'overview';
    if (state.view === 'jobs') state.jobId = arg ? decodeURIComponent(arg) : null;
    if (state.view === 'training' && arg) state.run = decodeURIComponent(arg);
    if (state.view === 'tuning' && arg) state.experiment = decodeURIComponent(arg);
    document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== `view-${state.view}`; });
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === state.view));
    if (state.view !== 'jobs') closeSocket();
    render();
  }

  async function render() {
    if (state.view === 'overview') renderOverview();
    else if (state.view === 'nodes') renderNodes();
    else if (state.view === 'runners') renderRunners();
    else if (state.view === 'jobs') renderJobs();
    else if (state.view === 'training') await renderTraining();
    else if (state.view === 'tuning') await renderTuning();
  }

  async function refresh() {
    // One refresh at a time: a slow one is not overtaken by the next tick.
    if (state.refreshing) return;
    state.refreshing = true;
    try {
      const [cluster, jobs, runs] = await Promise.all([get('/api/rlx/cluster'), get('/api/jobs/'), get('/api/rlx/runs')]);
      state.cluster = cluster; state.jobs = jobs; state.runs = runs;
      state.throughput.push([Date.now() / 1000 - (state.t0 ??= Date.now() / 1000), cluster.summary.env_steps_per_second]);
      if (state.throughput.length > 300) state.throughput.shift();
      await render();
      $('status').textContent = `updated ${new Date().toLocaleTimeString()}`;
      if (state.first) { state.first = false; window.rlxFirstDataMs = performance.now(); document.body.dataset.ready = '1'; }
    } catch (e) {
      $('status').textContent = `cannot reach the head (${e.message}); retrying`;
    } finally {
      state.refreshing = false;
    }
  }

  $('run-select').addEventListener('change', (e) => { location.hash = `training/${encodeURIComponent(e.target.value)}`; });
  $('experiment-select').addEventListener('change', (e) => { location.hash = `tuning/${encodeURIComponent(e.target.value)}`; });
  window.addEventListener('hashchange', route);
  route();
  refresh();
  setInterval(refresh, 1000);
})();
