// crosscheck-imapflow.js — parse every golden file's ENVELOPE, BODYSTRUCTURE
// and BODY with imapflow's own IMAP parser, as a second opinion on syntax.
//
//   mkdir /tmp/x && cd /tmp/x && npm i imapflow@2.10.2
//   node /path/to/tests/data/mime/crosscheck-imapflow.js /tmp/x/node_modules/imapflow
//
// Prints one line per file and "N files M bad" last; exits 1 when any fails.
// imapflow turns items nested deeper than 100 lists into NIL (39-deep-nesting).
const fs = require('fs');
const path = require('path');
const lib = process.argv[2] || './node_modules/imapflow';
const { parser } = require(path.join(path.resolve(lib), 'dist/cjs/handler/imap-handler.js'));
const tools = require(path.join(path.resolve(lib), 'dist/cjs/tools.js'));
const dir = __dirname;
(async () => {
  let bad = 0, n = 0;
  for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.golden')).sort()) {
    const g = fs.readFileSync(path.join(dir, f));
    const s = g.toString('latin1');
    const i1 = s.indexOf('\nBODYSTRUCTURE '), i2 = s.indexOf('\nBODY ', i1 + 1), i3 = s.indexOf('\nPART', i2 + 1);
    const env = g.subarray(9, i1), bs = g.subarray(i1 + 15, i2), body = g.subarray(i2 + 6, i3 < 0 ? g.length - 1 : i3);
    const line = Buffer.concat([Buffer.from('* 1 FETCH (ENVELOPE '), env, Buffer.from(' BODYSTRUCTURE '), bs, Buffer.from(' BODY '), body, Buffer.from(')')]);
    n++;
    try {
      const lits = []; const chunks = []; let pos = 0;
      const re = /\{(\d+)\}\r\n/g; const str = line.toString('latin1'); let m;
      while ((m = re.exec(str)) !== null) { const end = m.index + m[0].length; chunks.push(line.subarray(pos, end)); const len = parseInt(m[1]); lits.push(line.subarray(end, end + len)); pos = end + len; re.lastIndex = pos; }
      chunks.push(line.subarray(pos));
      const r = await parser(Buffer.concat(chunks), { literals: lits });
      const attrs = r.attributes[1];
      const envelope = tools.parseEnvelope(attrs[1]);
      if (!attrs[3] || !attrs[5]) { console.log(f, 'structure NIL (client nesting limit)'); continue; }
      const tree = tools.parseBodystructure(attrs[3]);
      const tree2 = tools.parseBodystructure(attrs[5]);
      const parts = [];
      const walk = (node) => { if (node.part) parts.push(node.part + ':' + node.type + ':' + (node.size||0) + ':' + (node.lineCount||'-')); (node.childNodes||[]).forEach(walk); };
      walk(tree);
      const parts2 = []; const walk2 = (node) => { if (node.part) parts2.push(node.part + ':' + node.type + ':' + (node.size||0) + ':' + (node.lineCount||'-')); (node.childNodes||[]).forEach(walk2); }; walk2(tree2);
      if (parts.join() !== parts2.join()) { console.log(f, 'BODY and BODYSTRUCTURE differ'); bad++; }
      console.log(f, JSON.stringify({subject: envelope.subject, from: envelope.from, type: tree.type, parts: parts.slice(0,6), disp: tree.disposition, params: tree.parameters, dparams: tree.dispositionParameters}).slice(0, 400));
    } catch (e) { bad++; console.log(f, 'PARSE ERROR', e.message); }
  }
  console.log(n, 'files', bad, 'bad');
  process.exit(bad ? 1 : 0);
})();
