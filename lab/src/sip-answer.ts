/**
 * The status code and Call-ID of a SIP response datagram, as the lab's UDP
 * clients (the prober, the registrar client) match answers to requests;
 * undefined for anything else.
 */
export function readAnswer(buf: Buffer): { status: number; callId: string; text: string } | undefined {
  const text = buf.toString('latin1');
  const status = /^SIP\/2\.0 (\d{3})/.exec(text);
  const callId = /^(?:Call-ID|i):\s*(\S+)/im.exec(text);
  if (!status || !callId) return undefined;
  return { status: Number(status[1]), callId: callId[1]!, text };
}
