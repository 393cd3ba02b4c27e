import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../tests/helpers/fuzz.js';
import { badgeText, escapeXml, renderBadge, textWidth, type Badge } from './badge-svg.js';

interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: (XmlElement | string)[];
}

const NAME = '[A-Za-z_:][-A-Za-z0-9_:.]*';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'gy');
// An open, close or empty tag (attributes read apart), a run of text, or a `<` that starts none of them.
const TOKEN = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>|([^<]+)|(<)`, 'y');
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// XML 1.0 Char, by code point (so a surrogate pair is one character and a lone half is none).
const isXmlChar = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff);

/** Character data with its references resolved; throws on a bare `&`, an unknown entity or a forbidden character. */
function unescape(raw: string): string {
  for (const char of raw) {
    const code = char.codePointAt(0) ?? 0;
    if (!isXmlChar(code) || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`U+${code.toString(16)} is not XML`);
  }
  return raw.replace(/&([^;]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new Error(`a bare & in ${JSON.stringify(raw)}`);
    const named = ENTITIES[body];
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (!numeric) throw new Error(`unknown entity &${body};`);
    return String.fromCodePoint(numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]));
  });
}

/** A tiny XML reader, enough to prove a badge well-formed: one root, balanced tags, quoted unique attributes. */
function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: new Map(), children: [] };
  const open: XmlElement[] = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(xml);
    if (!match || match[6] !== undefined) throw new Error(`not a tag at ${at}: ${xml.slice(at, at + 40)}`);
    const parent = open[open.length - 1];
    assert.ok(parent);
    const [, closing, name, rawAttributes = '', empty, text] = match;
    if (text !== undefined) {
      if (text.includes(']]>')) throw new Error(']]> in text');
      parent.children.push(unescape(text));
      continue;
    }
    if (closing === '/') {
      if (rawAttributes !== '' || empty === '/') throw new Error(`a malformed close tag </${name}>`);
      if (parent.name !== name) throw new Error(`</${name}> closes <${parent.name}>`);
      open.pop();
      continue;
    }
    const attributes = new Map<string, string>();
    ATTRIBUTE.lastIndex = 0;
    for (let found = ATTRIBUTE.exec(rawAttributes); found; found = ATTRIBUTE.exec(rawAttributes)) {
      const [, attribute = '', double, single] = found;
      if (attributes.has(attribute)) throw new Error(`${attribute} twice on <${name}>`);
      attributes.set(attribute, unescape(double ?? single ?? ''));
    }
    const element: XmlElement = { name: name ?? '', attributes, children: [] };
    parent.children.push(element);
    if (empty !== '/') open.push(element);
  }
  if (open.length !== 1) throw new Error(`<${open[open.length - 1]?.name}> is never closed`);
  const elements = root.children.filter((child): child is XmlElement => typeof child !== 'string');
  if (elements.length !== 1) throw new Error(`${elements.length} root elements`);
  if (root.children.some((child) => typeof child === 'string' && child.trim() !== '')) throw new Error('text outside');
  return elements[0] as XmlElement;
}

function all(element: XmlElement, name: string): XmlElement[] {
  const own = element.name === name ? [element] : [];
  return [...own, ...element.children.flatMap((child) => (typeof child === 'string' ? [] : all(child, name)))];
}

const textOf = (element: XmlElement): string =>
  element.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');

function attribute(element: XmlElement | undefined, name: string): string {
  const value = element?.attributes.get(name);
  assert.ok(value !== undefined, `<${element?.name}> has ${name}`);
  return value;
}

const HOSTILE = [
  '<script>alert("x")</script>',
  `"' onload="alert(1)`,
  'a & b &amp; c &#x3c;',
  ']]><![CDATA[x',
  '<!-- x --><?xml ?>',
  'nul\u0000bell\u0007 tab\tnewline\n',
  'lone \ud800 half \udc00 and a pair 😀',
  '\ufffe\uffff',
];

test('the parser used here refuses what is not well-formed', () => {
  for (const bad of [
    '<a>',
    '<a></b>',
    '<a b="1" b="2"/>',
    '<a>&</a>',
    '<a>x<</a>',
    '<a/><b/>',
    '<a b=1/>',
    '<a>&x;</a>',
  ]) {
    assert.throws(() => parseXml(bad), Error, bad);
  }
  assert.equal(textOf(parseXml('<a b="&lt;&#60;&#x3c;">&amp;<c/>&apos;</a>')), "&'");
});

test('a badge is one well-formed SVG image with a role, a name and a title', () => {
  const svg = parseXml(renderBadge({ label: 'health', message: 'healthy', colour: '#4c1' }));
  assert.equal(svg.name, 'svg');
  assert.equal(attribute(svg, 'xmlns'), 'http://www.w3.org/2000/svg');
  assert.equal(attribute(svg, 'role'), 'img');
  assert.equal(attribute(svg, 'aria-label'), 'health: healthy');
  assert.equal(textOf(all(svg, 'title')[0] as XmlElement), 'health: healthy');
  assert.equal(
    attribute(
      all(svg, 'rect').find((rect) => rect.attributes.has('rx')),
      'rx',
    ),
    '3',
  );
  const rects = all(svg, 'rect');
  assert.deepEqual(
    rects.map((rect) => rect.attributes.get('fill')),
    ['#fff', '#555', '#4c1', 'url(#badge-shine)'],
    'the clip, the grey label, the coloured message, the gradient',
  );
  const texts = all(svg, 'text').map((text) => ({ text: textOf(text), shadow: text.attributes.has('fill-opacity') }));
  assert.deepEqual(texts, [
    { text: 'health', shadow: true },
    { text: 'health', shadow: false },
    { text: 'healthy', shadow: true },
    { text: 'healthy', shadow: false },
  ]);
});

test("inlined in one page, badges never borrow each other's clip: an id names the width it clips to", () => {
  const clipOf = (raw: string) => {
    const svg = parseXml(raw);
    const group = all(svg, 'g').find((g) => g.attributes.has('clip-path'));
    const id = /^url\(#(.+)\)$/.exec(attribute(group, 'clip-path'))?.[1];
    const clip = all(svg, 'clipPath').find((element) => element.attributes.get('id') === id);
    assert.equal(attribute(all(clip ?? svg, 'rect')[0], 'width'), attribute(svg, 'width'), 'the clip is the badge');
    return id;
  };
  const short = clipOf(renderBadge({ label: 'health', message: 'dead', colour: '#e05d44' }));
  const long = clipOf(renderBadge({ label: 'health', message: 'unhealthy', colour: '#fe7d37' }));
  assert.notEqual(short, long);
  assert.equal(clipOf(renderBadge({ label: 'health', message: 'dead', colour: '#4c1' })), short);
});

test('a title given replaces the accessible name, in aria-label and <title> alike', () => {
  const svg = parseXml(
    renderBadge({ label: 'health', message: 'dead', colour: '#e05d44', title: 'svc1 health: dead' }),
  );
  assert.equal(attribute(svg, 'aria-label'), 'svc1 health: dead');
  assert.equal(textOf(all(svg, 'title')[0] as XmlElement), 'svc1 health: dead');
});

test('hostile labels, messages and titles are escaped: well-formed, shown as written, never markup', () => {
  for (const hostile of HOSTILE) {
    const raw = renderBadge({ label: hostile, message: hostile, colour: '#9f9f9f', title: `${hostile} id` });
    assert.doesNotMatch(raw, /<script|<!--|<\?|<!\[CDATA/, hostile);
    const svg = parseXml(raw);
    const shown = badgeText(hostile);
    assert.equal(attribute(svg, 'aria-label'), `${shown} id`);
    assert.equal(textOf(all(svg, 'title')[0] as XmlElement), `${shown} id`);
    for (const text of all(svg, 'text')) assert.equal(textOf(text), shown);
    assert.equal(all(svg, 'script').length, 0);
  }
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});

test('property: any label, message and title give a well-formed badge that shows them as written', () => {
  const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string(), fc.constantFrom(...HOSTILE));
  fc.assert(
    fc.property(anyText, anyText, anyText, (label, message, title) => {
      const svg = parseXml(renderBadge({ label, message, colour: '#dfb317', title }));
      assert.equal(attribute(svg, 'aria-label'), badgeText(title));
      const texts = all(svg, 'text').map(textOf);
      assert.deepEqual(texts, [label, label, message, message].map(badgeText));
    }),
    fuzzParameters(300),
  );
});

const measured = (badge: Badge) => {
  const svg = parseXml(renderBadge(badge));
  const [label, message] = all(svg, 'rect').slice(1, 3);
  const [, labelText, , messageText] = all(svg, 'text');
  return {
    width: Number(attribute(svg, 'width')),
    label: Number(attribute(label, 'width')),
    message: Number(attribute(message, 'width')),
    labelTextLength: Number(attribute(labelText, 'textLength')) / 10,
    messageTextLength: Number(attribute(messageText, 'textLength')) / 10,
    messageCentre: Number(attribute(messageText, 'x')) / 10,
  };
};

test('property: text widths add up, every character has one, and the badge grows with its text', () => {
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });
  fc.assert(
    fc.property(anyText, anyText, fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }), (a, b, more) => {
      assert.ok(Math.abs(textWidth(a + b) - (textWidth(a) + textWidth(b))) < 1e-9);
      assert.ok(textWidth(a + more) > textWidth(a));
      const before = measured({ label: a, message: b, colour: '#4c1' });
      const longerMessage = measured({ label: a, message: b + more, colour: '#4c1' });
      const longerLabel = measured({ label: a + more, message: b, colour: '#4c1' });
      assert.ok(longerMessage.width >= before.width && longerMessage.message >= before.message);
      assert.ok(longerLabel.width >= before.width && longerLabel.label >= before.label);
    }),
    fuzzParameters(300),
  );
});

test('property: each part holds its text with 5 px either side, and the two parts make the badge', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (label, message) => {
      const badge = measured({ label, message, colour: '#4c1' });
      assert.equal(badge.label + badge.message, badge.width);
      assert.ok(badge.label >= textWidth(badgeText(label)) + 10);
      assert.ok(badge.message >= textWidth(badgeText(message)) + 10);
      assert.equal(badge.labelTextLength + 10, badge.label);
      assert.equal(badge.messageTextLength + 10, badge.message);
      assert.equal(badge.messageCentre, badge.label + badge.message / 2);
    }),
    fuzzParameters(200),
  );
});

test('widths follow Verdana: narrow and wide letters, a default for characters outside ASCII', () => {
  assert.ok(textWidth('W') > textWidth('i'));
  assert.ok(textWidth('unhealthy') > textWidth('healthy'));
  assert.ok(Math.abs(textWidth('0') - 6.985) < 1e-9, 'digits are 635/1000 em at 11 px');
  assert.equal(textWidth('é'), 11, 'a full em');
  assert.equal(textWidth('😀'), 11, 'one character, though two UTF-16 units');
  for (let code = 0x20; code <= 0x7e; code++) {
    const width = textWidth(String.fromCharCode(code));
    assert.ok(width > 0 && width < 11.9, `U+${code.toString(16)}: ${width}`);
  }
});

test('text is white on the badge colours, dark on a light one; a colour that is not hex is refused', () => {
  const messageFill = (colour: Badge['colour']) =>
    attribute(all(parseXml(renderBadge({ label: 'l', message: 'm', colour })), 'text')[3], 'fill');
  for (const colour of ['#4c1', '#a4a61d', '#dfb317', '#fe7d37', '#e05d44', '#9f9f9f'] as const) {
    assert.equal(messageFill(colour), '#fff', colour);
  }
  assert.equal(messageFill('#ffffff'), '#333');
  assert.throws(() => renderBadge({ label: 'l', message: 'm', colour: '#12345' }), TypeError);
  assert.throws(() => renderBadge({ label: 'l', message: 'm', colour: '#"/><script>' }), TypeError);
});
