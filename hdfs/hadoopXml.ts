// Parser for Hadoop *-site.xml files: <configuration><property><name/><value/><final/></property>…
// Hadoop's format is tiny and regular, so a dependency-free scanner is enough.

export interface HadoopProperty {
  name: string;
  value: string;
  final: boolean;
}

export class HadoopXmlError extends Error {
  constructor(message: string, readonly source: string) {
    super(`${source}: ${message}`);
    this.name = 'HadoopXmlError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  // CDATA sections are literal; everything else gets entity decoding.
  let out = '';
  let i = 0;
  while (i < text.length) {
    const cdata = text.indexOf('<![CDATA[', i);
    const end = cdata < 0 ? text.length : cdata;
    out += text.slice(i, end).replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
      if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
      return ENTITIES[e] ?? m;
    });
    if (cdata < 0) break;
    const close = text.indexOf(']]>', cdata);
    if (close < 0) throw new Error('unterminated CDATA section');
    out += text.slice(cdata + 9, close);
    i = close + 3;
  }
  return out;
}

function childText(body: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`).exec(body);
  if (!m) return undefined;
  return m[1] === undefined ? '' : decode(m[1]);
}

/** Parses a Hadoop configuration XML document. `source` names the file in error messages. */
export function parseHadoopXml(xml: string, source = 'configuration'): HadoopProperty[] {
  // Comments may contain anything, including <property> examples; drop them first.
  const text = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '');
  if (!/<configuration[\s>/]/.test(text)) {
    throw new HadoopXmlError('no <configuration> element; is this a Hadoop *-site.xml file?', source);
  }
  const props: HadoopProperty[] = [];
  const re = /<property(?:\s[^>]*)?>([\s\S]*?)<\/property\s*>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[1] ?? '';
    const name = childText(body, 'name')?.trim();
    if (!name) throw new HadoopXmlError(`<property> without <name> near "${body.trim().slice(0, 80)}"`, source);
    const value = childText(body, 'value') ?? '';
    const final = (childText(body, 'final') ?? '').trim() === 'true';
    props.push({ name, value: value.trim(), final });
  }
  return props;
}

/**
 * Hadoop's ${var} expansion: other properties first, then ${env.NAME}, then Java-ish system
 * properties we can emulate (user.name). Unknown variables stay as written, like Hadoop.
 */
export function expandVariables(value: string, lookup: (name: string) => string | undefined, depth = 0): string {
  if (depth > 20 || !value.includes('${')) return value;
  return value.replace(/\$\{([^}$\s]+)\}/g, (m, name: string) => {
    let v: string | undefined;
    if (name.startsWith('env.')) v = process.env[name.slice(4)];
    else v = lookup(name);
    return v === undefined ? m : expandVariables(v, lookup, depth + 1);
  });
}
