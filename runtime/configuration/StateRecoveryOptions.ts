// Restore options (Flink 2.x StateRecoveryOptions, set by `run -s/-n`).
import { booleanOption, enumOption, stringOption } from './ConfigOption.js';

export const SAVEPOINT_PATH = stringOption('execution.state-recovery.path', {
  fallbackKeys: ['execution.savepoint.path'],
  description: 'Savepoint or retained checkpoint to restore the job from.',
});

export const RESTORE_MODE = enumOption('execution.state-recovery.claim-mode', {
  values: ['CLAIM', 'NO_CLAIM'] as const,
  defaultValue: 'NO_CLAIM',
  fallbackKeys: ['execution.savepoint-restore-mode'],
  description: 'CLAIM: the job takes ownership of the restored snapshot; NO_CLAIM: it never deletes or modifies it.',
});

export const SAVEPOINT_IGNORE_UNCLAIMED_STATE = booleanOption('execution.state-recovery.ignore-unclaimed-state', {
  defaultValue: false,
  fallbackKeys: ['execution.savepoint.ignore-unclaimed-state'],
  description: 'Allow restoring when the snapshot has state for operators no longer in the job (allowNonRestoredState).',
});
