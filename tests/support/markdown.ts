/**
 * Reads Markdown the way GitHub renders it, as far as the docs' tests need:
 * the anchors its headings get and the relative links a page makes. Code
 * (fenced blocks and inline spans) is neither a heading nor a link.
 *
 * @module
 */

/** A link to a file of the project, or to a heading in one. */
export interface RelativeLink {
  /** The link's text, as written between the brackets. */
  readonly text: string;
  /** The path part (empty for a link to a heading of the same page). */
  readonly path: string;
  /** The anchor after `#`, if any. */
  readonly anchor: string | undefined;
  /** The 1-based line the link is on. */
  readonly line: number;
}

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const LINK = /!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The lines that are prose, with code blocks blanked and inline code removed. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (FENCE.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/(`+)[\s\S]*?\1/g, (code) => code.replace(/[\[\]()#]/g, " "));
  });
}

/**
 * The anchor GitHub gives a heading: its text as rendered (no code marks,
 * emphasis or link targets), lower-cased, with punctuation other than `-`
 * and `_` dropped and each space made a `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .replace(/(\*\*|__|\*|\b_|_\b)/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every heading's anchor in a page; a repeated one gets `-1`, `-2` … as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (FENCE.test(line)) fenced = !fenced;
    const match = fenced ? null : HEADING.exec(line);
    if (!match) continue;
    const slug = githubSlug(match[2]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every link of a page that points into the project rather than to another site. */
export function relativeLinks(markdown: string): RelativeLink[] {
  const links: RelativeLink[] = [];
  proseLines(markdown).forEach((line, index) => {
    for (const match of line.matchAll(LINK)) {
      const target = match[2];
      if (SCHEME.test(target) || target.startsWith("//")) continue;
      const hash = target.indexOf("#");
      links.push({
        text: match[1],
        path: hash < 0 ? target : target.slice(0, hash),
        anchor: hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1)),
        line: index + 1,
      });
    }
  });
  return links;
}
