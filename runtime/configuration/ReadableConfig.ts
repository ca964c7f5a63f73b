import type { ConfigOption } from './ConfigOption.js';

/** Read access to a configuration (Flink's ReadableConfig): what option helpers need, without the Configuration class and its registry. */
export interface ReadableConfig {
  get<T>(option: ConfigOption<T>): T;
  getOptional<T>(option: ConfigOption<T>): T | undefined;
}
