// The editor needs the browser (WebSocket, Tiptap): no server rendering for this page.
export const ssr = false;

export function load({ params }) {
  return { conventionId: params.id };
}
