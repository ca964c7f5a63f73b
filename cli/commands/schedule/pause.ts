// `tsflink schedule pause <name>`: no new runs until resumed; started runs go on.
import { SetPausedCommand } from '../../ScheduleCommand.js';

export default class SchedulePause extends SetPausedCommand {
  static override summary = 'Pause a schedule: no new runs until it is resumed (started runs go on).';
  protected readonly paused = true;
}
