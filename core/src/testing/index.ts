export * from './processes';
export * from './cleanup';
export * from './docs';
