// The phone view lives on the socket: nothing to render on the server but the shell.
export const ssr = false;
export const load = ({ params }: { params: { meetingId: string } }) => ({ meetingId: params.meetingId });
