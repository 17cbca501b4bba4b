// The start-up baseline: a module that does nothing, so the table shows what importing any module
// costs in each runtime, apart from what a library does.
export const cost = () => 0;
