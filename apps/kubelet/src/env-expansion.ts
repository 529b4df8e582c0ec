// `$(VAR)` references in command, args and env values (reference B7.4), ported from Kubernetes'
// third_party/forked/golang/expansion: `$$` is a literal `$`, an unresolvable `$(NAME)` is left as written, an
// unterminated `$(` is copied verbatim.

export type Lookup = (name: string) => string | undefined;

export function expand(input: string, lookup: Lookup): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) {
        const name = rest.slice(1, close);
        const v = lookup(name);
        out += v ?? `$(${name})`;
        advance = close + 1;
      } else {
        out += '$(';
      }
    } else {
      out += `$${rest[0]}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** Expands a container's command and args against its final environment. */
export function expandCommand(argv: string[], env: Record<string, string>): string[] {
  return argv.map((a) => expand(a, (n) => (Object.hasOwn(env, n) ? env[n] : undefined)));
}
