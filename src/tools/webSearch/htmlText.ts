import { compile } from 'html-to-text';

/**
 * HTML → readable text with html-to-text (a maintained HTML parser, never regexes). Compiled once:
 * the selector tree is the expensive part and indexing converts many files.
 */
// Deeper markup is cut (with an ellipsis): html-to-text walks the tree recursively and overflows
// the stack on tens of thousands of nested elements.
const limits = { maxDepth: 200 };

const headings = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

const bodyText = compile({
  wordwrap: false,
  limits,
  selectors: [
    ...headings,
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    { selector: 'nav', format: 'skip' },
    { selector: 'footer', format: 'skip' },
  ],
});

const titleText = compile({
  wordwrap: false,
  limits,
  baseElements: { selectors: ['title'], returnDomByDefault: false },
});

const inlineText = compile({ wordwrap: false, limits, selectors: [{ selector: 'a', options: { ignoreHref: true } }] });

export function htmlToReadableText(html: string): string {
  return bodyText(html).trim();
}

/** The document's `<title>`, or '' when it has none. */
export function htmlTitle(html: string): string {
  return titleText(html).replace(/\s+/g, ' ').trim();
}

/** A fragment such as a search snippet with `<strong>` marks, as one plain line. */
export function htmlFragmentToText(html: string): string {
  return inlineText(html).replace(/\s+/g, ' ').trim();
}
