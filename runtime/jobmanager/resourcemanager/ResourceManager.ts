import { SlotManager, type TaskExecutorRegistrationInfo } from './SlotManager.js';
import type { TaskExecutorGateway } from '../gateways.js';

/**
 * Registers TaskManagers and serves slot requests of JobMasters. The driver that starts
 * TaskManagers (standalone, YARN) plugs in with the distributed-runtime and YARN issues.
 */
export class ResourceManager {
  readonly slotManager = new SlotManager();
  registerTaskExecutor(gateway: TaskExecutorGateway, numSlots: number, info?: Partial<TaskExecutorRegistrationInfo>): void {
    this.slotManager.registerTaskExecutor(gateway, numSlots, info);
  }
  getTaskExecutor(id: string): TaskExecutorGateway { return this.slotManager.getTaskExecutor(id); }
}
