/** Imported first by the node's entry point: TurboFan is held back while the modules load (see startup-tiering.ts). */
import { holdOptimisingCompiler } from './startup-tiering';

holdOptimisingCompiler();
