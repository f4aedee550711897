export * from './tenant-request-options';
export * from './tenant-requests';
