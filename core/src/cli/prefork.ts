/**
 * Imported by the CLI's entry point before anything heavy: the nodes `up`
 * or `node` will run are forked now and load their modules while the CLI
 * loads its own and checks the config (see supervisor/node-prefork.ts).
 */
import { nodesFor, preforkNodes } from '../supervisor/node-prefork';

preforkNodes(nodesFor(process.argv));
