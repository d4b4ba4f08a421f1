/** The simulator seeds the S2P staging tables and transform maps `mlc setup servicenow` creates. */
export * from '../../systems/servicenow/s2p-staging.js';
