// GET /config (Flink's DashboardConfiguration).
import type { Configuration } from '../../configuration/index.js';
import { RestOptions } from '../../configuration/index.js';
import { REVISION, tsflinkVersion } from './common.js';

export interface DashboardConfiguration {
  'refresh-interval': number;
  'timezone-name': string;
  'timezone-offset': number;
  'flink-version': string;
  'flink-revision': string;
  features: { 'web-submit': boolean; 'web-cancel': boolean; 'web-rescale': boolean; 'web-history': boolean };
}

export function dashboardConfiguration(conf: Configuration, now = new Date()): DashboardConfiguration {
  return {
    'refresh-interval': conf.get(RestOptions.WEB_REFRESH_INTERVAL),
    'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
    // Flink reports the zone's offset from UTC in milliseconds.
    'timezone-offset': -now.getTimezoneOffset() * 60_000,
    'flink-version': tsflinkVersion(),
    'flink-revision': REVISION,
    features: {
      'web-submit': conf.get(RestOptions.WEB_SUBMIT_ENABLE),
      'web-cancel': conf.get(RestOptions.WEB_CANCEL_ENABLE),
      'web-rescale': false,
      'web-history': false,
    },
  };
}
