import type { OurServer } from '../lib/ours.js';
import type { Section } from '../lib/results.js';

/**
 * Whether our server offers tool.operation (tools land in parallel); when it does not, the
 * section is marked skipped with a note saying what was missing.
 */
export async function requireOperation(server: OurServer, section: Section, tool: string, operation: string): Promise<boolean> {
  const tools = await server.tools();
  if (tools.get(tool)?.includes(operation)) return true;
  section.status = 'skipped';
  section.notes.push(
    `Skipped: ${tool}.${operation} is not offered by this build yet (discovery.list_tools shows ${[...tools].map(([t, ops]) => `${t}: ${ops.join('/') || '—'}`).join('; ')}).`,
  );
  return false;
}

/** Whether the named operation takes a parameter called `name`; notes the mismatch otherwise. */
export async function requireParameter(
  server: OurServer,
  section: Section,
  tool: string,
  operation: string,
  names: string[],
): Promise<string | undefined> {
  const doc = (await server.documentation(tool))?.find((op) => op.name === operation);
  const properties = Object.keys(doc?.parameters.properties ?? {});
  const found = names.find((n) => properties.includes(n));
  if (found) return found;
  section.status = 'skipped';
  section.notes.push(
    `Skipped: ${tool}.${operation} takes no parameter named ${names.join(' or ')} (it takes: ${properties.join(', ') || 'nothing'}); the bench needs updating.`,
  );
  return undefined;
}
