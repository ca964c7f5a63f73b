/** Whether a source ends (Flink's org.apache.flink.api.connector.source.Boundedness). */
export type Boundedness = 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
