/** Flink's execution states of one subtask attempt. */
export type ExecutionState = 'CREATED' | 'SCHEDULED' | 'DEPLOYING' | 'INITIALIZING' | 'RUNNING' | 'FINISHED' | 'CANCELING' | 'CANCELED' | 'FAILED';

export function isTerminal(s: ExecutionState): boolean { return s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED'; }

const allowed: Record<ExecutionState, ExecutionState[]> = {
  CREATED: ['SCHEDULED', 'CANCELED', 'FAILED'],
  SCHEDULED: ['DEPLOYING', 'CANCELING', 'CANCELED', 'FAILED'],
  DEPLOYING: ['INITIALIZING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED'],
  INITIALIZING: ['RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED'],
  RUNNING: ['FINISHED', 'CANCELING', 'CANCELED', 'FAILED'],
  CANCELING: ['CANCELED', 'FAILED', 'FINISHED'],
  FINISHED: [], CANCELED: [], FAILED: [],
};
export function canTransition(from: ExecutionState, to: ExecutionState): boolean { return allowed[from].includes(to); }
