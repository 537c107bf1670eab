import { defineRule, type RuleMatch } from '../../../analysis/rule';
import type { FixBuilder } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';
import { isAsync, isFlaskRequest, mappingFixes, methodCall, simpleAssignment, subscriptRead, todoOnce } from '../../_shared/flaskRequest';

/** The expression that reads one upload (`request.files["f"]`, `.get("f")`) and the variable it is stored in. */
function uploadUses(fn: Node, node: Node): { attrs: Map<string, Node>; anchor: Node } {
  const mc = methodCall(node);
  const read = mc && mc.name === 'get' ? mc.call : subscriptRead(node)?.sub;
  const attrs = new Map<string, Node>();
  const add = (a: Node) => {
    const name = a.childForFieldName('attribute')?.text ?? '';
    if (!attrs.has(name)) attrs.set(name, a);
  };
  if (!read) return { attrs, anchor: node };
  const direct = read.parent;
  if (direct?.type === 'attribute' && direct.childForFieldName('object')?.id === read.id) add(direct);
  const v = simpleAssignment(read)?.name;
  if (v) {
    for (const a of fn.descendantsOfType('attribute')) {
      const o = a?.childForFieldName('object');
      if (a && o?.type === 'identifier' && o.text === v && a.startIndex > read.endIndex) add(a);
    }
  }
  return { attrs, anchor: read };
}

function check(bad: Record<string, string>, also?: (fn: Node, attrs: Map<string, Node>) => string | undefined) {
  return (m: RuleMatch, fx: FixBuilder, fn: Node) => {
    const { attrs, anchor } = uploadUses(fn, m.captures.finding);
    const used = [...attrs].filter(([a]) => bad[a] || (a === 'read' && also));
    const hints = used.filter(([a]) => bad[a]).map(([a]) => bad[a]);
    const extra = also?.(fn, attrs);
    if (extra) hints.push(extra);
    if (!hints.length) return;
    // above the first use when it is a statement of its own, else above the read
    const first = used.map(([, n]) => n).sort((a, b) => a.startIndex - b.startIndex)[0];
    const at = first && fx.statementOf(first).id !== fx.statementOf(anchor).id ? first : anchor;
    todoOnce(fx, at, `the upload is not a Werkzeug FileStorage: ${hints.join('; ')}`);
  };
}

export default defineRule({
  id: 'flask-request-files',
  from: 'flask',
  category: 'request',
  title: 'request.files (uploads)',
  message: '`request.files` holds Flask\'s uploaded files: use `request.FILES` in Django, or an `UploadFile` parameter of the FastAPI endpoint.',
  effortMinutes: 5,
  needles: ['files'],
  unboundNames: ['request'], // a `request` parameter a fix added (flaskRequest.ts isFlaskRequest)
  requires: { req: (_q, n, m) => isFlaskRequest(m, n, 'files') },
  fixes: mappingFixes({
    attr: 'files',
    django: 'FILES',
    kind: 'File',
    valueType: (fx) => fx.importFrom('fastapi', 'UploadFile'),
    fastapiMapping: { code: 'request.form()', awaited: true },
    djangoExtra: check({
      save: 'Django\'s UploadedFile has no .save(): write its .chunks() to a file or use default_storage.save(name, f)',
      filename: 'the client\'s file name is .name',
      mimetype: 'the MIME type is .content_type',
      stream: 'the file object is .file',
    }),
    fastapiExtra: check(
      {
        save: 'UploadFile has no .save(): copy f.file to the destination (shutil.copyfileobj)',
        mimetype: 'the MIME type is .content_type',
        stream: 'the file object is .file',
      },
      (fn, attrs) => (attrs.has('read') && !isAsync(fn) ? 'UploadFile.read() is async: use .file.read() in a def endpoint' : undefined),
    ),
  }),
  docs: {
    summary:
      'Flask reads uploads from `request.files` (Werkzeug FileStorage objects). Django has `request.FILES` (UploadedFile objects); FastAPI declares an `UploadFile` endpoint parameter (`f: Annotated[UploadFile, File()]`).',
    notes: [
      'The file objects differ: FileStorage has `.save()`, `.filename`, `.mimetype`; Django\'s UploadedFile has `.name`, `.content_type`, `.chunks()` and no `.save()`; FastAPI\'s UploadFile has `.filename`, `.content_type`, `.file` and async `.read()`. The fix leaves a TODO where such attributes are used.',
      'Django fills `request.FILES` only for POST requests with `enctype="multipart/form-data"`.',
      'FastAPI needs python-multipart for uploads; a `File()` parameter without default is required on every request (422).',
    ],
    links: [
      'https://flask.palletsprojects.com/en/stable/patterns/fileuploads/',
      'https://docs.djangoproject.com/en/stable/topics/http/file-uploads/',
      'https://fastapi.tiangolo.com/tutorial/request-files/',
    ],
  },
});
