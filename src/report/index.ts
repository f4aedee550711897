export * from './fleet-report-data';
export * from './fleet-report';
