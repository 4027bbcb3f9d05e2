export async function docsPages(): Promise<{ path: string; content: string }[]> {
  return [];
}
