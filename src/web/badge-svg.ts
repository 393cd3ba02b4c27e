// Shields.io "flat" badges as SVG text: a label on grey, a message on a colour, sized from Verdana's widths.

/** A colour as `#rgb` or `#rrggbb`. */
export type BadgeColour = `#${string}`;

export interface Badge {
  readonly label: string;
  readonly message: string;
  readonly colour: BadgeColour;
  /** The accessible name (`aria-label` and `<title>`); `label: message` when absent. */
  readonly title?: string;
}

/**
 * Verdana's advance widths in thousandths of an em (its AFM metrics), for U+0020 to U+007E in order.
 * Browsers have no text measurement to offer an SVG served as an image, so the badge is sized from
 * these and `textLength` holds the rendered text to the estimate, as shields does.
 */
// prettier-ignore
const VERDANA_PER_MILLE: readonly number[] = [
  351, 393, 458, 818, 635, 1076, 726, 268, 454, 454, 635, 818, 363, 454, 363, 454, //  !"#$%&'()*+,-./
  635, 635, 635, 635, 635, 635, 635, 635, 635, 635, 454, 454, 818, 818, 818, 545, // 0-9 :;<=>?
  1000, 683, 685, 698, 770, 632, 574, 775, 751, 420, 454, 692, 556, 842, 748, 787, // @A-O
  603, 787, 695, 683, 616, 731, 683, 988, 685, 615, 685, 454, 454, 454, 818, 635, // P-Z [\]^_
  635, 600, 623, 520, 623, 595, 351, 623, 632, 274, 344, 591, 274, 972, 632, 606, // `a-o
  623, 623, 426, 520, 394, 632, 591, 818, 591, 591, 525, 634, 454, 634, 818, // p-z {|}~
];
const FIRST_IN_TABLE = 0x20;
/** Anything else counts as a full em: wide scripts fit, and an overestimate only adds padding. */
const DEFAULT_PER_MILLE = 1000;
const FONT_SIZE_PX = 11;
const PADDING_PX = 5;
const HEIGHT_PX = 20;
const LABEL_COLOUR = '#555';

/** The estimated width of `text` in Verdana 11px, in pixels. */
export function textWidth(text: string): number {
  let perMille = 0;
  // By code point, so a character outside the BMP counts once.
  for (const char of text) {
    perMille += VERDANA_PER_MILLE[(char.codePointAt(0) ?? 0) - FIRST_IN_TABLE] ?? DEFAULT_PER_MILLE;
  }
  return (perMille * FONT_SIZE_PX) / 1000;
}

// Characters XML 1.0 forbids even escaped (C0 controls, U+FFFE/F, lone surrogates): a parser would reject the image.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** What a badge shows of `text`: one line, no character XML cannot carry. */
export function badgeText(text: string): string {
  return text.replace(/[\t\n\r]/g, ' ').replace(NOT_XML, '\uFFFD');
}

/** `text` safe in XML text and in any attribute value. */
export function escapeXml(text: string): string {
  return badgeText(text).replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

function rgbOf(colour: BadgeColour): [number, number, number] {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour)?.[1];
  if (hex === undefined) throw new TypeError(`a badge colour is #rgb or #rrggbb, not ${colour}`);
  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join('') : hex;
  const channel = (at: number): number => parseInt(full.slice(at, at + 2), 16);
  return [channel(0), channel(2), channel(4)];
}

/** Dark text on a light colour, white on the rest: shields' rule (perceived brightness above 0.69). */
function textColoursOn(colour: BadgeColour): { fill: string; shadow: string } {
  const [r, g, b] = rgbOf(colour);
  const brightness = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  return brightness > 0.69 ? { fill: '#333', shadow: '#ccc' } : { fill: '#fff', shadow: '#010101' };
}

/** A text and its shadow, drawn at ten times the size and scaled down, for sub-pixel placement. */
function textPair(text: string, centreX: number, widthPx: number, colours: { fill: string; shadow: string }): string {
  const x = Math.round(centreX * 10);
  const length = Math.round(widthPx * 10);
  const escaped = escapeXml(text);
  return (
    `<text aria-hidden="true" x="${x}" y="150" fill="${colours.shadow}" fill-opacity=".3" transform="scale(.1)" textLength="${length}">${escaped}</text>` +
    `<text aria-hidden="true" x="${x}" y="140" fill="${colours.fill}" transform="scale(.1)" textLength="${length}">${escaped}</text>`
  );
}

/** The badge as a standalone SVG document. */
export function renderBadge(badge: Badge): string {
  // First, so a bad colour throws before anything is built.
  const messageColours = textColoursOn(badge.colour);
  const label = badgeText(badge.label);
  const message = badgeText(badge.message);
  const labelText = Math.ceil(textWidth(label));
  const messageText = Math.ceil(textWidth(message));
  const labelWidth = labelText + 2 * PADDING_PX;
  const messageWidth = messageText + 2 * PADDING_PX;
  const width = labelWidth + messageWidth;
  const name = escapeXml(badge.title ?? `${label}: ${message}`);
  const colour = escapeXml(badge.colour);
  // Ids are document-wide when badges are inlined in one page: the clip is named by the only thing it
  // depends on, so two badges sharing an id share an identical definition.
  const clip = `badge-clip-${width}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT_PX}" role="img" aria-label="${name}">`,
    `<title>${name}</title>`,
    '<linearGradient id="badge-shine" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="${clip}"><rect width="${width}" height="${HEIGHT_PX}" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#${clip})">`,
    `<rect width="${labelWidth}" height="${HEIGHT_PX}" fill="${LABEL_COLOUR}"/>`,
    `<rect x="${labelWidth}" width="${messageWidth}" height="${HEIGHT_PX}" fill="${colour}"/>`,
    `<rect width="${width}" height="${HEIGHT_PX}" fill="url(#badge-shine)"/>`,
    '</g>',
    '<g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">',
    textPair(label, labelWidth / 2, labelText, textColoursOn(LABEL_COLOUR)),
    textPair(message, labelWidth + messageWidth / 2, messageText, messageColours),
    '</g>',
    '</svg>',
  ].join('');
}
