export { child, childText, lineColumn, parseXml, type XmlElement } from './reader.ts';
export { escapeXml, xmlAttrs } from './writer.ts';
