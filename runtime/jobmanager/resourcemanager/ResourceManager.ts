import { SlotManager } from './SlotManager.js';
import type { TaskExecutorGateway } from '../gateways.js';

/**
 * Registers TaskManagers and serves slot requests of JobMasters. The driver that starts
 * TaskManagers (standalone, YARN) plugs in with the distributed-runtime and YARN issues.
 */
export class ResourceManager {
  readonly slotManager = new SlotManager();
  registerTaskExecutor(gateway: TaskExecutorGateway, numSlots: number): void { this.slotManager.registerTaskExecutor(gateway, numSlots); }
  getTaskExecutor(id: string): TaskExecutorGateway { return this.slotManager.getTaskExecutor(id); }
}
