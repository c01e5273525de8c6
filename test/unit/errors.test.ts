import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { badParam, bodyTooLarge, busy, conflict, internalError, lengthRequired, methodNotAllowed, notFound, originDenied, originRefused, originTimedOut, originUnresolved, overLimit, preconditionFailed, storageUnavailable, transformTimedOut, unauthorized, unsupported } from '../../shared/http/errors';

describe('IkError: status, code, public message, private detail, whether to report', () => {
  it('each helper gives its code and status; the operator is told of failures with a detail and of 5xx only', () => {
    const cases = [
      [badParam('m'), 400, 'EBADPARAM', false],
      [unsupported('m'), 400, 'EUNSUPPORTED', false],
      [unsupported('m', 'libvips said so'), 400, 'EUNSUPPORTED', true],
      [overLimit('m'), 400, 'ELIMIT', false],
      [unauthorized('m'), 401, 'EUNAUTHORIZED', false],
      [notFound('m'), 404, 'ENOENT', false],
      [originDenied('m', 'd'), 404, 'EACCES', true],
      [originRefused('m', 'd'), 404, 'ECONNREFUSED', true],
      [originUnresolved('m', 'd'), 404, 'UNIDENTIFIED', true],
      [originTimedOut('m', 'd'), 504, 'ETIMEDOUT', true],
      [internalError('r1'), 500, 'UNIDENTIFIED', true],
      [busy('m', 3), 503, 'EBUSY', true],
      [transformTimedOut('m', 3), 503, 'ETIMEOUT', true],
      [storageUnavailable(new Error('socket hang up\nstack')), 503, 'EUNAVAILABLE', true],
      [methodNotAllowed('PATCH'), 405, 'EMETHOD', false],
      [conflict('m'), 409, 'ECONFLICT', false],
      [lengthRequired('m'), 411, 'ELENGTH', false],
      [preconditionFailed('m'), 412, 'EPRECONDITION', false],
      [bodyTooLarge('m'), 413, 'ETOOLARGE', false],
    ] as const;
    for (const [error, status, code, report] of cases) expect([code, error.status, error.code, error.report]).toEqual([code, status, code, report]);
  });

  it('keeps the detail apart from the message, and passing conditions out of caches', () => {
    const stored = storageUnavailable(new Error('AccountName=devstoreaccount1 refused\nat stack'));
    expect(stored.message).not.toContain('devstoreaccount1');
    expect(stored.detail).toBe('AccountName=devstoreaccount1 refused');
    expect(busy('m', 7).headers).toEqual({ 'retry-after': '7', 'cache-control': 'no-store' });
    expect(originTimedOut('m', 'd').headers).toEqual({ 'cache-control': 'no-store' });
    expect(originDenied('m', 'd').headers).toEqual({});
  });

  it('no module but shared/http/errors.ts writes an ik-error code out: they all go through its helpers', () => {
    const root = path.resolve(__dirname, '../..');
    const errors = fs.readFileSync(path.join(root, 'shared/http/errors.ts'), 'utf8');
    // EACCES, ECONNREFUSED and ETIMEDOUT are Node.js system error codes too, which origin code reads and lists.
    const systemCodes = ['EACCES', 'ECONNREFUSED', 'ETIMEDOUT'];
    const codes = new Set(/export type ErrorCode =([^;]+);/.exec(errors)![1].split('|').map((c) => c.trim().replace(/'/g, '')).filter((c) => c !== '' && !systemCodes.includes(c)));
    expect(codes.has('ELIMIT') && codes.has('ETOOLARGE') && !codes.has('')).toBe(true);
    const sources = (dir: string): string[] =>
      fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
    const written: string[] = [];
    for (const file of [...sources('shared'), ...sources('functions')].filter((f) => f !== 'shared/http/errors.ts')) {
      const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node) => {
        // Comparing a Node.js system error's code (`error.code === 'ETIMEDOUT'`) reads a code; it does not write one.
        const compared = node.parent !== undefined && ts.isBinaryExpression(node.parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(node.parent.operatorToken.kind);
        if (ts.isStringLiteralLike(node) && codes.has(node.text) && !compared) written.push(`${file}: '${node.text}'`);
        ts.forEachChild(node, visit);
      };
      ts.forEachChild(source, visit);
    }
    expect(written).toEqual([]);
  });
});
