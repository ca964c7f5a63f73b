// `node --import ./register-hooks.js …` with B1B2_SIDE=before|after: installs uncounted-chain-hooks
// in this thread; worker threads inherit the flag and the environment, so slots load the same chain.
import { register } from 'node:module';

const side = process.env['B1B2_SIDE'];
if (side !== 'before' && side !== 'after') throw new Error(`B1B2_SIDE must be 'before' or 'after', not '${side}'`);
register('./uncounted-chain-hooks.js', { parentURL: import.meta.url, data: { strip: side === 'before' } });
