import type { McpStatus } from '../../api/types.js';

/** An MCP server's connection status, coloured by how worried to be. */
export function StatusBadge(props: { status: McpStatus }) {
  return (
    <span
      class="badge"
      classList={{
        'badge-live': props.status === 'connected',
        'badge-warn': props.status === 'failing',
        'badge-draft': props.status === 'connecting' || props.status === 'idle',
      }}
    >
      {props.status}
    </span>
  );
}
