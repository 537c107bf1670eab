import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs, type FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { freshName } from '../../_shared/flaskApp';

const KNOWN = new Set(['mimetype', 'as_attachment', 'download_name', 'path_or_file', 'directory', 'path']);

const FILE_OBJECTS = ['io.BytesIO()', 'io.StringIO()', 'tempfile.TemporaryFile()', 'tempfile.NamedTemporaryFile()', 'tempfile.SpooledTemporaryFile()'];
const PATHS = ['os.path.join()', 'os.path.abspath()', 'os.path.realpath()', 'pathlib.Path()', 'os.fspath()'];

/** 'file' for an open file object, 'path' for a path, undefined when it cannot be told. */
function sourceKind(m: RuleMatch, n: Node): 'file' | 'path' | undefined {
  const q = m.resolve(n);
  if (q && FILE_OBJECTS.includes(q)) return 'file';
  if (q && PATHS.includes(q)) return 'path';
  if (n.type === 'call' && n.childForFieldName('function')?.text === 'open' && !q) return 'file';
  return isPathLike(m, n) ? 'path' : undefined;
}

/** Whether the argument looks like a path (not an open file object). */
function isPathLike(m: RuleMatch, n: Node): boolean {
  if (n.type === 'string' || n.type === 'concatenated_string' || n.type === 'binary_operator') return true;
  if (n.type === 'call') {
    const q = m.resolve(n.childForFieldName('function')) ?? '';
    return ['os.path.join', 'os.path.abspath', 'pathlib.Path', 'str', 'os.fspath'].includes(q) || /(^|\.)(joinpath|with_suffix|resolve)$/.test(n.childForFieldName('function')?.text ?? '');
  }
  if (n.type === 'identifier' || n.type === 'attribute') return /(path|filename|fname|_file_name)$/i.test(n.text);
  return false;
}

interface Opts {
  attachment?: string;
  downloadName?: string;
  mimetype?: string;
  other: string[];
}
function options(fx: FixBuilder, keywords: Map<string, Node>): Opts {
  const o: Opts = { other: [] };
  for (const [k, v] of keywords) {
    if (k === 'as_attachment') o.attachment = fx.text(v);
    else if (k === 'download_name') o.downloadName = fx.text(v);
    else if (k === 'mimetype') o.mimetype = fx.text(v);
    else if (!KNOWN.has(k)) o.other.push(k);
  }
  return o;
}

function djangoArgs(o: Opts): string[] {
  const a: string[] = [];
  if (o.attachment && o.attachment !== 'False') a.push(`as_attachment=${o.attachment}`);
  if (o.downloadName) a.push(`filename=${o.downloadName}`);
  if (o.mimetype) a.push(`content_type=${o.mimetype}`);
  return a;
}

function fastapiArgs(fx: FixBuilder, o: Opts, pathCode: string): string[] {
  const a: string[] = [];
  const attach = o.attachment && o.attachment !== 'False';
  if (o.downloadName) a.push(`filename=${o.downloadName}`);
  else if (attach) a.push(`filename=${fx.importModule('os')}.path.basename(${pathCode})`);
  // Starlette sends `attachment` whenever a filename is given; Flask only with as_attachment
  if (o.downloadName && !attach) a.push('content_disposition_type="inline"');
  else if (attach && o.attachment !== 'True') a.push(`content_disposition_type="attachment" if ${o.attachment} else "inline"`);
  if (o.mimetype) a.push(`media_type=${o.mimetype}`);
  return a;
}

function port(m: RuleMatch, fx: FixBuilder, target: 'django' | 'fastapi'): boolean | void {
  const call = m.captures.finding;
  const fnName = m.resolve(m.captures.fn);
  const { positional, keywords, splats } = callArgs(call);
  if (splats.length) return false;
  const o = options(fx, keywords);
  if (o.other.length) fx.todo(call, `send_file option ${o.other.map((k) => `\`${k}\``).join(', ')} has no direct equivalent: check caching/conditional behaviour by hand`);
  const FileResponse = () => (target === 'django' ? fx.importFrom('django.http', 'FileResponse') : fx.importFrom('fastapi.responses', 'FileResponse'));

  if (fnName === 'flask.send_from_directory') {
    const dir = positional[0] ?? keywords.get('directory');
    const name = positional[1] ?? keywords.get('path') ?? keywords.get('filename');
    if (!dir || !name || positional.length > 2) return false;
    const ret = call.parent?.type === 'return_statement' ? call.parent : undefined;
    if (!ret) return false;
    // Flask refused paths outside the directory and missing files with 404: keep that check
    const Path = fx.importFrom('pathlib', 'Path');
    const v = freshName(fx, call, 'file_path');
    const notFound = target === 'django' ? `raise ${fx.importFrom('django.http', 'Http404')}` : `raise ${fx.importFrom('fastapi', 'HTTPException')}(status_code=404)`;
    const ind = fx.indentOf(ret);
    const base = `${Path}(${fx.text(dir)})`;
    const args = target === 'django' ? [`open(${v}, "rb")`, ...djangoArgs(o)] : [v, ...fastapiArgs(fx, o, v)];
    const lines = [
      `${v} = (${base} / ${fx.text(name)}).resolve()`,
      `${ind}if not ${v}.is_relative_to(${base}.resolve()) or not ${v}.is_file():`,
      `${ind}    ${notFound}`,
      `${ind}return ${FileResponse()}(${args.join(', ')})`,
    ];
    fx.replace(ret, lines.join('\n'));
    return;
  }

  const src = positional[0] ?? keywords.get('path_or_file');
  if (!src || positional.length > 1) return false;
  const kind = sourceKind(m, src);
  const pathLike = kind === 'path';
  if (target === 'django') {
    if (!kind) fx.todo(call, `if \`${src.text}\` is a path rather than an open binary file, wrap it in open(..., "rb")`);
    const first = pathLike ? `open(${fx.text(src)}, "rb")` : fx.text(src);
    fx.replace(call, `${FileResponse()}(${[first, ...djangoArgs(o)].join(', ')})`);
    return;
  }
  if (kind === 'file') {
    const a = [fx.text(src)];
    if (o.mimetype) a.push(`media_type=${o.mimetype}`);
    const attach = o.attachment && o.attachment !== 'False';
    const name = o.downloadName !== undefined ? /^"[^"\\{}]*"$/.exec(o.downloadName)?.[0] : undefined;
    if (name) a.push(`headers={"Content-Disposition": '${attach ? 'attachment' : 'inline'}; filename=${name}'}`);
    else if (o.downloadName) fx.todo(call, `set the Content-Disposition header for download_name=${o.downloadName}`);
    fx.replace(call, `${fx.importFrom('fastapi.responses', 'StreamingResponse')}(${a.join(', ')})`);
    return;
  }
  if (!pathLike) fx.todo(call, `FileResponse takes a path: if \`${src.text}\` is a file object, return StreamingResponse(${src.text}, media_type=...) instead`);
  fx.replace(call, `${FileResponse()}(${[fx.text(src), ...fastapiArgs(fx, o, fx.text(src))].join(', ')})`);
}

export default defineRule({
  id: 'flask-send-file',
  from: 'flask',
  category: 'response',
  title: 'send_file() / send_from_directory()',
  message: (m) => `\`${m.captures.fn.text}()\` streams a file: port it to the target framework's \`FileResponse\`.`,
  effortMinutes: 4,
  needles: ['send_file', 'send_from_directory'],
  requires: { fn: ['flask.send_file', 'flask.send_from_directory'] },
  fixes: {
    django: { title: 'Replace with django.http.FileResponse', safe: true, apply: (m, fx) => port(m, fx, 'django') },
    fastapi: { title: 'Replace with fastapi.responses.FileResponse', safe: true, apply: (m, fx) => port(m, fx, 'fastapi') },
  },
  docs: {
    summary:
      'Flask `send_file(path, as_attachment=..., download_name=..., mimetype=...)` and `send_from_directory(dir, name)` stream a file. Django: `FileResponse(open(path, "rb"), as_attachment=..., filename=..., content_type=...)`; FastAPI: `FileResponse(path, filename=..., media_type=...)`.',
    notes: [
      'send_from_directory() refused names that escape the directory and answered 404 for missing files: the fix keeps both checks with pathlib (`is_relative_to`, `is_file`) before building the response.',
      'Relative paths: Flask resolves them against the app\'s root folder, Django and Starlette against the working directory.',
      'Starlette\'s FileResponse sends `Content-Disposition: attachment` as soon as `filename=` is given: the fix passes `content_disposition_type="inline"` when Flask would not have made it an attachment.',
      'Flask answered conditional and range requests (ETag, 304, 206); Starlette\'s FileResponse does too, Django\'s FileResponse only with ConditionalGetMiddleware (no ranges).',
      'Starlette\'s FileResponse needs a path; an in-memory file (BytesIO) becomes a StreamingResponse. Django\'s FileResponse takes an open binary file.',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/ref/request-response/#fileresponse-objects',
      'https://www.starlette.io/responses/#fileresponse',
      'https://fastapi.tiangolo.com/advanced/custom-response/#fileresponse',
    ],
  },
});
