// `tsflink schedule resume <name>`: missed intervals follow the schedule's catchup policy.
import { SetPausedCommand } from '../../ScheduleCommand.js';

export default class ScheduleResume extends SetPausedCommand {
  static override summary = 'Resume a paused schedule (missed intervals follow its catchup policy).';
  protected readonly paused = false;
}
