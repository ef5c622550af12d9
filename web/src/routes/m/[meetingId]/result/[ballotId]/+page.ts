// Reads the receipt this browser kept in localStorage: rendered in the browser only.
export const ssr = false;
export const load = ({ params }: { params: { meetingId: string; ballotId: string } }) => ({
  meetingId: params.meetingId,
  ballotId: params.ballotId,
});
