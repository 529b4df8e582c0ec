// Kubernetes' static token file (`--token-auth-file`): one CSV record per line,
//
//   token,user,uid[,"group1,group2"]
//
// Fields may be double-quoted ("" is a literal quote), which is how a group list containing commas is written.
// Blank lines and lines starting with `#` are skipped. Kubernetes only warns about an empty or duplicate token; we
// refuse the whole file instead, since either one makes it unclear who a token belongs to.
import { readFileSync } from 'node:fs';
import { groups, type UserInfo } from './user-info.ts';

export type TokenMap = Map<string, UserInfo>;

export function loadTokenFile(path: string): TokenMap {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}

/** Parses the file's text; `source` names it in error messages. Throws on the first malformed line. */
export function parseTokenFile(text: string, source = 'token file'): TokenMap {
  const tokens: TokenMap = new Map();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const fail = (why: string): never => { throw new Error(`${source}: line ${i + 1}: ${why}`); };
    const fields = splitCsvLine(line, fail);
    if (fields.length < 3) fail(`expected at least 3 columns (token, user name, user uid), found ${fields.length}`);
    if (fields.length > 4) fail(`expected at most 4 columns (token, user name, user uid, groups), found ${fields.length}`);
    const [token, name, uid, groupList = ''] = fields;
    if (token === '') fail('empty token');
    if (name === '') fail('empty user name');
    if (/\s/.test(token)) fail('token contains whitespace');
    if (tokens.has(token)) fail(`duplicate token (already used by user "${tokens.get(token)!.name}")`);
    const userGroups = groupList.split(',').map((g) => g.trim()).filter((g) => g !== '');
    if (!userGroups.includes(groups.authenticated)) userGroups.push(groups.authenticated);
    tokens.set(token, { name, uid, groups: userGroups });
  }
  return tokens;
}

/** RFC 4180 fields of one line; a quoted field cannot span lines here. */
function splitCsvLine(line: string, fail: (why: string) => never): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) fail('unterminated quoted field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') fail(`unexpected character after closing quote at column ${i + 1}`);
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end === -1 ? line.length : end);
      if (field.includes('"')) fail(`bare quote in unquoted field at column ${i + 1 + field.indexOf('"')}`);
      i = end === -1 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
