export const ssr = false;
export const load = ({ params }: { params: { meetingId: string } }) => ({ meetingId: params.meetingId });
