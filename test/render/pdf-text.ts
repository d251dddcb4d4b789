import zlib from 'node:zlib';

/**
 * The printed size of every piece of text in a PDF, per page: the font size of each text-showing
 * operator (Tj, TJ, ', ") times the scale of the text matrix (Tm) and of the graphics state
 * (cm, through q/Q). Enough for what LibreOffice writes (one content stream per page, Flate).
 */

export interface PageText {
  /** 1-based, in page order. */
  page: number;
  width: number;
  height: number;
  /** Effective sizes in points of each text run on the page. */
  sizes: number[];
}

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

function objects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const out = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\b/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    if (end < 0) break;
    const body = text.slice(start, end);
    const s = body.search(/stream\r?\n/);
    if (s < 0) out.set(Number(m[1]), { dict: body });
    else {
      const dataStart = start + s + (body.slice(s).startsWith('stream\r\n') ? 8 : 7);
      const dataEnd = text.lastIndexOf('endstream', end);
      out.set(Number(m[1]), { dict: body.slice(0, s), stream: pdf.subarray(dataStart, dataEnd) });
    }
    re.lastIndex = end;
  }
  return out;
}

const refs = (text: string): number[] => [...text.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));

/** Page objects in page order (the /Kids of the page tree, depth first). */
function pages(objs: Map<number, PdfObject>): Array<{ id: number; obj: PdfObject }> {
  const root = [...objs.entries()].find(([, o]) => /\/Type\s*\/Pages\b/.test(o.dict) && !/\/Parent\b/.test(o.dict));
  if (!root) throw new Error('no page tree in the PDF');
  const out: Array<{ id: number; obj: PdfObject }> = [];
  const walk = (id: number): void => {
    const o = objs.get(id);
    if (!o) return;
    if (/\/Type\s*\/Pages\b/.test(o.dict)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(o.dict);
      for (const k of refs(kids?.[1] ?? '')) walk(k);
    } else out.push({ id, obj: o });
  };
  walk(root[0]);
  return out;
}

function content(obj: PdfObject): string {
  if (!obj.stream) return '';
  const data = /\/FlateDecode/.test(obj.dict) ? zlib.inflateSync(obj.stream) : obj.stream;
  return data.toString('latin1');
}

/** Scale of a 2x2 matrix (a b c d): the square root of its determinant's magnitude. */
const scale = (a: number, b: number, c: number, d: number): number => Math.sqrt(Math.abs(a * d - b * c));

/** The effective size of every text run in one content stream. */
export function textSizes(stream: string): number[] {
  const tokens = stream.match(/\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|\/[^\s/[\]()<>]+|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'"*]+/g) ?? [];
  const sizes: number[] = [];
  const saved: number[] = [];
  let ctm = 1;
  let tm = 1;
  let font = 0;
  let operands: number[] = [];
  for (const t of tokens) {
    if (/^[-+]?(?:\d+\.?\d*|\.\d+)$/.test(t)) {
      operands.push(Number(t));
      continue;
    }
    if (!/^[A-Za-z'"*]+$/.test(t)) continue;
    const n = operands;
    switch (t) {
      case 'q':
        saved.push(ctm);
        break;
      case 'Q':
        ctm = saved.pop() ?? 1;
        break;
      case 'cm':
        ctm *= scale(n.at(-6) ?? 1, n.at(-5) ?? 0, n.at(-4) ?? 0, n.at(-3) ?? 1);
        break;
      case 'BT':
        tm = 1;
        break;
      case 'Tm':
        tm = scale(n.at(-6) ?? 1, n.at(-5) ?? 0, n.at(-4) ?? 0, n.at(-3) ?? 1);
        break;
      case 'Tf':
        font = n.at(-1) ?? 0;
        break;
      case 'Tj':
      case 'TJ':
      case "'":
      case '"':
        sizes.push(font * tm * ctm);
        break;
    }
    operands = [];
  }
  return sizes;
}

/** Every page of a PDF with its size and the effective sizes of its text. */
export function pdfText(pdf: Buffer): PageText[] {
  const objs = objects(pdf);
  return pages(objs).map(({ obj }, i) => {
    const box = /\/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]/.exec(obj.dict);
    const contents = /\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/.exec(obj.dict);
    const sizes = refs(contents?.[1] ?? '').flatMap((id) => {
      const c = objs.get(id);
      return c ? textSizes(content(c)) : [];
    });
    return {
      page: i + 1,
      width: box ? Number(box[3]) - Number(box[1]) : 0,
      height: box ? Number(box[4]) - Number(box[2]) : 0,
      sizes,
    };
  });
}
