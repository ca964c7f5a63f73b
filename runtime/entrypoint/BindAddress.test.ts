import { describe, expect, it } from 'vitest';
import { resolveBindHost, formatHostPort, BindAddressError } from './BindAddress.js';

const req = (bind: string | undefined, advertised: string) => ({
  what: 'TaskManager data plane', bindKey: 'taskmanager.bind-host', bind, advertisedKey: 'taskmanager.host', advertised,
});

describe('resolveBindHost', () => {
  it('binds the advertised address when no bind address is set', async () => {
    expect(await resolveBindHost(req(undefined, '127.0.0.3'))).toBe('127.0.0.3');
    expect(await resolveBindHost(req(undefined, 'localhost'))).toBe('127.0.0.1');
    expect(await resolveBindHost(req('  ', '10.1.2.3'))).toBe('10.1.2.3');
  });

  it('accepts a bind address that serves the advertised one, and wildcards', async () => {
    expect(await resolveBindHost(req('127.0.0.3', '127.0.0.3'))).toBe('127.0.0.3');
    expect(await resolveBindHost(req('0.0.0.0', '127.0.0.3'))).toBe('0.0.0.0');
    expect(await resolveBindHost(req('::', '10.1.2.3'))).toBe('::');
    expect(await resolveBindHost(req('*', '10.1.2.3'))).toBe('0.0.0.0');
  });

  it('rejects a bind address that cannot serve the advertised one, naming both keys', async () => {
    const e = await resolveBindHost(req('127.0.0.1', '127.0.0.4')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BindAddressError);
    expect((e as Error).message).toBe(
      'TaskManager data plane: taskmanager.bind-host=127.0.0.1 cannot serve the advertised address taskmanager.host=127.0.0.4: ' +
      'processes connecting to 127.0.0.4 would be refused. Unset taskmanager.bind-host (the server then binds 127.0.0.4), ' +
      'set it to 0.0.0.0 (all interfaces), or set taskmanager.host to an address 127.0.0.1 serves.');
    await expect(resolveBindHost(req('localhost', '192.0.2.7'))).rejects.toThrow(/taskmanager.bind-host=localhost cannot serve the advertised address taskmanager.host=192.0.2.7/);
  });

  it('names the key of a host that does not resolve', async () => {
    await expect(resolveBindHost(req(undefined, 'no-such-host.invalid'))).rejects.toThrow(/taskmanager.host=no-such-host.invalid does not resolve/);
    await expect(resolveBindHost(req('no-such-host.invalid', '127.0.0.3'))).rejects.toThrow(/taskmanager.bind-host=no-such-host.invalid does not resolve/);
  });

  it('formats IPv6 with brackets', () => {
    expect(formatHostPort('::1', 80)).toBe('[::1]:80');
    expect(formatHostPort('127.0.0.2', 6123)).toBe('127.0.0.2:6123');
  });
});
