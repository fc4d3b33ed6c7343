export { blocks, fill, render, writeDocs, ROOT, type Block } from './generate';
export { SOURCES, type DocSource } from './sources';
export { EVENT_MEANINGS } from './meanings';
export { brokenLinks, docFiles, anchors, slug } from './links';
