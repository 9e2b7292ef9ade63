const $ = (id) => document.getElementById(id);
let models = [];
let lastView = null;

async function api(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) throw new Error(path + ': ' + ((answer.error && answer.error.message) || response.statusText));
  return answer;
}

async function loadModels() {
  const answer = await (await fetch('/v1/models')).json();
  models = answer.data;
  $('model').innerHTML = '';
  for (const model of models) {
    const option = document.createElement('option');
    option.value = model.id;
    option.textContent = model.id + ' (' + model.family + ')';
    $('model').appendChild(option);
  }
}

function kind() { return document.querySelector('input[name=kind]:checked').value; }

// The request fields of what was pasted: a chat request, a prompt, or token IDs.
function sourceFields() {
  const text = $('source').value;
  if (kind() === 'prompt') return { prompt: text };
  if (kind() === 'ids') return { ids: text };
  let request;
  try { request = JSON.parse(text); } catch (error) { throw new Error('the chat request is not JSON: ' + error.message); }
  if (Array.isArray(request)) return { messages: request };
  if (request === null || typeof request !== 'object') throw new Error('the chat request must be an object with messages, or an array of messages');
  if (typeof request.add_generation_prompt === 'boolean') $('generation-prompt').checked = request.add_generation_prompt;
  const fields = {};
  for (const name of ['messages', 'tools', 'chat_template_kwargs', 'chat_template']) if (name in request) fields[name] = request[name];
  return fields;
}

function colour(id) { return 'hsl(' + ((Math.imul(id, 2654435761) >>> 0) % 360) + ', 70%, 86%)'; }

// A token's text as shown: special tokens as themselves, cut UTF-8 as \xNN bytes, and
// whitespace as ⋅ → ↵ when asked.
function shown(token, whitespace) {
  if (token.special) return token.text;
  const bytes = new Uint8Array(token.bytes_hex.match(/../g).map((pair) => parseInt(pair, 16)));
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return null; }
  if (whitespace) text = text.replace(/ /g, '⋅').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵\n');
  return text;
}

function chip(token, whitespace) {
  const element = document.createElement('span');
  element.className = 'chip';
  element.dataset.index = token.index;
  element.dataset.id = token.id;
  const text = shown(token, whitespace);
  if (token.special) element.classList.add('special');
  if (text === null) {
    element.classList.add('partial');
    element.textContent = token.bytes_hex.match(/../g).map((pair) => '\\x' + pair).join('');
  } else {
    element.textContent = text;
    if (!token.special) element.style.background = colour(token.id);
  }
  const detail = '#' + token.index + ' · id ' + token.id + ' · bytes ' + token.bytes_hex.match(/../g).join(' ')
    + (token.special ? ' · special' : '') + (text === null ? ' · partial UTF-8' : '') + (token.segment !== undefined ? ' · segment ' + token.segment : '');
  element.title = detail;
  element.addEventListener('mouseenter', () => { $('hover').textContent = detail; });
  return element;
}

function drawStream(container, tokens, options) {
  container.innerHTML = '';
  const whitespace = $('whitespace').checked;
  let segment = null;
  for (const token of tokens) {
    if (token.segment !== undefined && token.segment !== segment) {
      segment = token.segment;
      const border = document.createElement('span');
      border.className = 'segment-border';
      const special = options.segments && options.segments[segment] ? options.segments[segment].special : false;
      border.textContent = '§' + segment;
      border.title = 'segment ' + segment + (special ? ' (control, special tokens allowed)' : ' (text, encoded as ordinary text)');
      container.appendChild(border);
    }
    const element = chip(token, whitespace);
    const pinned = (options.findings || []).filter((finding) => finding.token_index === token.index);
    for (const finding of pinned) {
      element.classList.add('flagged', 'flagged-' + finding.severity);
      element.dataset.finding = finding.code;
      element.title += '\n' + finding.code + ': ' + finding.message;
    }
    if (options.divergence === token.index) element.classList.add('divergence');
    container.appendChild(element);
  }
}

function drawFindings(findings) {
  const list = $('findings');
  list.innerHTML = '';
  for (const finding of findings) {
    const item = document.createElement('li');
    item.className = 'finding ' + finding.severity;
    item.dataset.code = finding.code;
    if (finding.token_index !== null && finding.token_index !== undefined) item.dataset.token = finding.token_index;
    item.innerHTML = '<span class="severity"></span> <code></code> <span class="where"></span>: <span class="message"></span><div class="fix"></div>';
    item.querySelector('.severity').textContent = finding.severity;
    item.querySelector('code').textContent = finding.code;
    item.querySelector('.where').textContent = finding.token_index === null || finding.token_index === undefined ? '(whole stream)' : 'at token ' + finding.token_index;
    item.querySelector('.message').textContent = finding.message;
    item.querySelector('.fix').textContent = finding.fix ? 'fix: ' + finding.fix : '';
    item.addEventListener('click', () => {
      const target = document.querySelector('#chips .chip[data-index="' + finding.token_index + '"]');
      if (!target) return;
      target.scrollIntoView({ block: 'center' });
      target.classList.remove('flash'); void target.offsetWidth; target.classList.add('flash');
    });
    list.appendChild(item);
  }
}

// The two streams from a little before the first divergence, the divergence marked in both.
function drawComparison(comparison, referenceTokens, engineTokens) {
  const box = $('comparison');
  box.innerHTML = '';
  const verdict = document.createElement('div');
  verdict.className = 'verdict ' + (comparison.equal ? 'equal' : 'different');
  verdict.dataset.classification = comparison.classification;
  verdict.textContent = comparison.equal
    ? 'The engine\'s IDs equal the reference (' + comparison.reference_count + ' tokens).'
    : 'First divergence at token ' + comparison.first_divergence + ' (reference ' + comparison.reference_count + ' tokens, engine ' + comparison.engine_count + '): ' + comparison.classification;
  box.appendChild(verdict);
  const explanation = document.createElement('div');
  explanation.className = 'explanation';
  explanation.textContent = comparison.explanation;
  box.appendChild(explanation);
  if (comparison.equal) return;
  const start = Math.max(0, comparison.first_divergence - 8);
  for (const [name, tokens] of [['reference', referenceTokens], ['engine', engineTokens]]) {
    const lane = document.createElement('div');
    lane.className = 'lane ' + name;
    lane.innerHTML = '<b></b><div class="stream"></div>';
    lane.querySelector('b').textContent = name;
    const stream = lane.querySelector('.stream');
    drawStream(stream, tokens.slice(start, comparison.first_divergence + 60), { divergence: comparison.first_divergence });
    if (start > 0) {
      const elided = document.createElement('span');
      elided.className = 'elided';
      elided.textContent = '… ' + start + ' equal tokens …';
      stream.prepend(elided);
    }
    if (tokens.length <= comparison.first_divergence) {
      const end = document.createElement('span');
      end.className = 'chip end divergence';
      end.textContent = '∅ end of stream';
      stream.appendChild(end);
    }
    box.appendChild(lane);
  }
}

async function inspect() {
  document.body.dataset.state = 'working';
  $('status').className = '';
  $('status').textContent = 'Inspecting…';
  for (const id of ['summary', 'chips', 'findings', 'comparison']) $(id).innerHTML = '';
  try {
    const model = $('model').value;
    const source = sourceFields();
    const common = { model: model, add_generation_prompt: $('generation-prompt').checked };
    let listing, segments = null, family = (models.find((entry) => entry.id === model) || {}).family;
    if (kind() === 'chat') {
      const rendering = await api('/v1/kimi/render', Object.assign({}, common, source, { engine: $('profile').value }));
      segments = rendering.segments || null;
      family = rendering.family;
      listing = await api('/v1/kimi/tokens', segments ? { model: model, segments: segments.map((segment) => [segment.text, segment.special]) } : { model: model, ids: rendering.ids });
    } else {
      listing = await api('/v1/kimi/tokens', Object.assign({ model: model }, source));
    }
    // Text without a single chat marker is not a prompt: checking it as one would only
    // say that it has no structure. It is shown as tokens, and the summary says so.
    const plain = kind() !== 'chat' && !listing.tokens.some((token) => token.special);
    const check = plain
      ? { errors: 0, warnings: 0, findings: [], plain: true }
      : await api('/v1/kimi/check', Object.assign({}, common, source, { engine: $('profile').value }));
    let comparison = null, engineListing = null;
    const engineText = $('engine').value.trim();
    if (engineText) {
      comparison = await api('/v1/kimi/compare', Object.assign({}, common, source, { engine: engineText, engine_profile: $('profile').value }));
      if (comparison.reference && comparison.profile) comparison = comparison.reference;
      engineListing = await api('/v1/kimi/tokens', { model: model, ids: engineText });
    }
    lastView = { listing: listing, segments: segments, check: check, comparison: comparison, engineListing: engineListing, family: family };
    draw();
    document.body.dataset.state = 'done';
    $('status').textContent = '';
  } catch (error) {
    document.body.dataset.state = 'error';
    $('status').className = 'error';
    $('status').textContent = error.message;
  }
}

function draw() {
  if (!lastView) return;
  const view = lastView;
  const summary = $('summary');
  summary.innerHTML = '<span id="count"></span> · <span class="family"></span> · <span class="check-verdict"></span>';
  summary.querySelector('#count').textContent = view.listing.tokens.length + ' tokens';
  summary.querySelector('.family').textContent = 'family ' + view.family;
  const verdict = summary.querySelector('.check-verdict');
  if (view.check.plain) {
    verdict.textContent = 'plain text (no chat markers): shown as tokens, not checked as a prompt';
  } else {
    verdict.innerHTML = '<span class="errors"></span>, <span class="warnings"></span>';
    verdict.querySelector('.errors').textContent = view.check.errors + ' error' + (view.check.errors === 1 ? '' : 's');
    verdict.querySelector('.warnings').textContent = view.check.warnings + ' warning' + (view.check.warnings === 1 ? '' : 's');
  }
  if (view.comparison) {
    const engine = document.createElement('span');
    engine.className = view.comparison.equal ? 'engine-equal' : 'errors engine-differs';
    engine.textContent = view.comparison.equal
      ? 'the engine\'s IDs are identical'
      : 'the engine\'s IDs differ from token ' + view.comparison.first_divergence + ': ' + view.comparison.classification;
    summary.append(' · ', engine);
    summary.dataset.divergence = view.comparison.equal ? '' : String(view.comparison.first_divergence);
  }
  summary.dataset.count = view.listing.tokens.length;
  summary.dataset.errors = view.check.errors;
  summary.dataset.plain = view.check.plain ? '1' : '';
  drawStream($('chips'), view.listing.tokens, { findings: view.check.findings, segments: view.segments });
  drawFindings(view.check.findings);
  if (view.comparison) drawComparison(view.comparison, view.listing.tokens, view.engineListing.tokens);
}

function loadExample(name) {
  const example = EXAMPLES[name];
  if (!example) return false;
  document.querySelector('input[name=kind][value=' + example.kind + ']').checked = true;
  $('source').value = example.source;
  $('engine').value = example.engine;
  $('engine-box').open = example.engine !== '';
  $('generation-prompt').checked = example.generation_prompt;
  $('profile').value = 'reference';
  const model = models.find((entry) => entry.family === example.family);
  if (model) $('model').value = model.id;
  return true;
}

// A served turn handed over in the URL's fragment (`kimi-tok audit --html` links):
// #turn=BASE64URL of {"request", "prompt_token_ids"?, "engine"?}.
function loadTurn(fragment) {
  if (!fragment.startsWith('#turn=')) return false;
  let turn;
  try {
    const base64 = fragment.slice(6).replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
    turn = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    $('status').className = 'error';
    $('status').textContent = 'the link holds no turn: ' + error.message;
    return false;
  }
  document.querySelector('input[name=kind][value=chat]').checked = true;
  $('source').value = JSON.stringify(turn.request, null, 2);
  const ids = Array.isArray(turn.prompt_token_ids) ? turn.prompt_token_ids.join(' ') : '';
  $('engine').value = ids;
  $('engine-box').open = ids !== '';
  $('generation-prompt').checked = turn.request.add_generation_prompt !== false;
  const profiles = Array.from($('profile').options, (option) => option.value);
  $('profile').value = profiles.includes(turn.engine) ? turn.engine : 'reference';
  return true;
}

$('inspect').addEventListener('click', inspect);
$('whitespace').addEventListener('change', draw);
for (const button of document.querySelectorAll('[data-example]')) {
  button.addEventListener('click', () => { if (loadExample(button.dataset.example)) $('inspect').click(); });
}
loadModels().then(() => {
  const parameters = new URLSearchParams(location.search);
  if (parameters.get('whitespace') === '1') $('whitespace').checked = true;
  const example = parameters.get('example');
  if (example && loadExample(example)) $('inspect').click();
  else if (loadTurn(location.hash)) $('inspect').click();
}).catch((error) => { $('status').className = 'error'; $('status').textContent = 'cannot list models: ' + error.message; });
