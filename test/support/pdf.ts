import { PDFParse } from 'pdf-parse';

/** The text of a PDF, whitespace folded (wrapped cells come out as several lines), and its page count. */
export const pdfText = async (pdf: Buffer | Uint8Array): Promise<{ text: string; pages: number }> => {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const result = await parser.getText();
    return { text: result.text.replace(/\s+/g, ' '), pages: result.total };
  } finally {
    await parser.destroy();
  }
};
