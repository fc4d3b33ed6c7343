export * from './processes';
export * from './docs';
