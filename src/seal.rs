//! `certcheck seal FILE`: the SES and CMS parsers and checks on a seal
//! object outside a PDF (an .esl SES_Seal, an OFD SignedValue.dat
//! SES_Signature, or a CMS SignedData).
