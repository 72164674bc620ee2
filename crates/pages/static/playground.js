// 政策试算: as the author types, the policy text's diagnostics (POST /v1/check) and its decisions
// on the facts (POST /v1/evaluate with the text as "source") replace what the server drew. Plain
// JavaScript, no library: the page works without it (the form's button asks the server).
(function () {
  'use strict';
  var form = document.getElementById('playground');
  if (!form || !window.fetch) return;
  var source = document.getElementById('source');
  var facts = document.getElementById('facts');
  var asOf = document.getElementById('as_of');
  var diag = document.getElementById('diagnostics');
  var out = document.getElementById('decision');
  var status = document.getElementById('live-status');
  var timer = null;
  var seq = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // Keeps a section's heading, replaces the rest.
  function fill(section, nodes) {
    while (section.children.length > 1) section.removeChild(section.lastChild);
    nodes.forEach(function (n) { section.appendChild(n); });
  }
  // "1234567.8" → "1,234,567.80元": from the text, never through a float.
  function yuan(a) {
    var neg = a.charAt(0) === '-', parts = a.replace('-', '').split('.');
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (neg ? '-' : '') + whole + '.' + ((parts[1] || '') + '00').slice(0, 2) + '元';
  }
  var OUTCOMES = {eligible: ['符合', 'ok'], ineligible: ['不符合', 'no'], undetermined: ['待补充数据', 'open'],
    pending_review: ['待审核', 'wait'], not_payable: ['不予兑付', 'no'], error: ['计算错误', 'no']};

  function diagnostics(list) {
    if (!list.length) return [el('p', 'good-text', '没有发现问题。')];
    var ul = el('ul', 'diagnostics');
    list.forEach(function (d) {
      var error = d.severity === 'error';
      var li = el('li', error ? 'error' : 'warning');
      li.appendChild(el('span', error ? 'badge no' : 'badge open', (error ? '错误 ' : '提醒 ') + d.code));
      li.appendChild(document.createTextNode(' 第 ' + d.line + ' 行第 ' + d.column + ' 列：' + d.message +
        (d.label ? '（' + d.label + '）' : '')));
      if (d.help) { li.appendChild(el('br')); li.appendChild(el('small', '', '建议：' + d.help)); }
      ul.appendChild(li);
    });
    return [ul];
  }

  function decision(d) {
    var art = el('article', 'decision');
    art.appendChild(el('h3', '', d.policy + ' ' + d.title));
    var o = OUTCOMES[d.outcome] || ['未知', 'open'];
    var p = el('p');
    p.appendChild(el('span', 'badge ' + o[1], o[0]));
    if (d.amount) { p.appendChild(document.createTextNode(' 金额 ')); p.appendChild(el('span', 'amount', yuan(d.amount))); }
    if (d.payer) p.appendChild(document.createTextNode('，由' + d.payer + '兑付'));
    art.appendChild(p);
    var r = d.reasons || {};
    if (r.summary) art.appendChild(el('p', '', r.summary));
    var lines = (r.conditions || []).concat(r.vetoes || []);
    if (lines.length) {
      var ul = el('ul', 'checks');
      lines.forEach(function (c) {
        var mark = c.result === true ? ['✓', 'ok'] : c.result === false ? ['✗', 'no'] : ['?', 'open'];
        var li = el('li');
        li.appendChild(el('span', 'badge ' + mark[1], mark[0]));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('strong', '', c.label));
        if (c.rule) li.appendChild(document.createTextNode('：' + c.rule));
        ul.appendChild(li);
      });
      art.appendChild(ul);
    }
    (d.missing || []).forEach(function (m) { art.appendChild(el('p', 'hint', '尚缺 ' + m.fact + '（' + m.department + '）')); });
    return art;
  }

  function say(text) { status.textContent = text; }

  function post(url, type, body) {
    return fetch(url, {method: 'POST', headers: {'Content-Type': type}, body: body, credentials: 'same-origin'})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); });
  }

  function run() {
    var n = ++seq;
    say('正在检查…');
    post('/v1/check', 'text/plain; charset=utf-8', source.value).then(function (c) {
      if (n !== seq) return;
      fill(diag, diagnostics(c.body.diagnostics || []));
      if (c.body.errors > 0) { fill(out, [el('p', '', '政策文本有错误，改正后显示判定。')]); say('已检查'); return; }
      var given;
      try { given = JSON.parse(facts.value); } catch (e) {
        fill(out, [el('p', 'error-text', '企业数据不是有效的 JSON：' + e.message + '。请改正后再试。')]); say('已检查');
        return;
      }
      var req = {facts: given, as_of: asOf.value, source: source.value};
      return post('/v1/evaluate', 'application/json', JSON.stringify(req)).then(function (e) {
        if (n !== seq) return;
        if (!e.ok) { fill(out, [el('p', 'error-text', (e.body.message || '试算未成功') + '。请按提示改正后再试。')]); }
        else if (!e.body.decisions.length) { fill(out, [el('p', '', '文本中没有政策。')]); }
        else { fill(out, e.body.decisions.map(decision)); }
        say('已更新');
      });
    }).catch(function (e) { if (n === seq) say('试算未成功（' + e.message + '）：请检查网络，或点“检查并试算”。'); });
  }

  function later() { clearTimeout(timer); timer = setTimeout(run, 400); say('输入中…'); }
  [source, facts, asOf].forEach(function (f) { f.addEventListener('input', later); });
})();
