/**
 * Small pools of real-looking codes to pick from. Values are ordinary public code-system
 * entries (ICD-10-CM, HCPCS/CPT-style, NDC-shaped, NUCC taxonomy); displays are short.
 */

export const ICD10_DIAGNOSES: ReadonlyArray<readonly [string, string]> = [
  ['E119', 'Type 2 diabetes mellitus without complications'],
  ['I10', 'Essential (primary) hypertension'],
  ['E785', 'Hyperlipidemia, unspecified'],
  ['J449', 'Chronic obstructive pulmonary disease, unspecified'],
  ['I509', 'Heart failure, unspecified'],
  ['N183', 'Chronic kidney disease, stage 3'],
  ['M170', 'Bilateral primary osteoarthritis of knee'],
  ['F329', 'Major depressive disorder, single episode, unspecified'],
  ['I4891', 'Unspecified atrial fibrillation'],
  ['J189', 'Pneumonia, unspecified organism'],
  ['N390', 'Urinary tract infection, site not specified'],
  ['R0602', 'Shortness of breath'],
  ['Z0000', 'Encounter for general adult medical examination without abnormal findings'],
  ['M5450', 'Low back pain, unspecified'],
  ['E039', 'Hypothyroidism, unspecified'],
  ['G4733', 'Obstructive sleep apnea'],
  ['H2513', 'Age-related nuclear cataract, bilateral'],
  ['K219', 'Gastro-esophageal reflux disease without esophagitis'],
  ['I2510', 'Atherosclerotic heart disease of native coronary artery'],
  ['S72001A', 'Fracture of unspecified part of neck of right femur, initial encounter'],
  ['A419', 'Sepsis, unspecified organism'],
  ['R269', 'Unspecified abnormalities of gait and mobility'],
  ['Z7901', 'Long term (current) use of anticoagulants'],
  ['C61', 'Malignant neoplasm of prostate'],
];

export const ICD10_PROCEDURES: ReadonlyArray<readonly [string, string]> = [
  ['0SRD0JZ', 'Replacement of left knee joint with synthetic substitute'],
  ['0SR9019', 'Replacement of right hip joint with metal on polyethylene'],
  ['02703ZZ', 'Dilation of coronary artery, one artery, percutaneous'],
  ['5A1955Z', 'Respiratory ventilation, greater than 96 consecutive hours'],
  ['0DTJ4ZZ', 'Resection of appendix, percutaneous endoscopic'],
  ['BW28ZZZ', 'CT scan of abdomen and pelvis'],
];

export const HCPCS_CODES: ReadonlyArray<readonly [string, string]> = [
  ['99213', 'Office or other outpatient visit, established patient, low complexity'],
  ['99214', 'Office or other outpatient visit, established patient, moderate complexity'],
  ['99232', 'Subsequent hospital inpatient care'],
  ['36415', 'Collection of venous blood by venipuncture'],
  ['80053', 'Comprehensive metabolic panel'],
  ['85025', 'Complete blood count with automated differential'],
  ['93000', 'Electrocardiogram, routine, with interpretation and report'],
  ['71046', 'Radiologic examination, chest; 2 views'],
  ['97110', 'Therapeutic exercises'],
  ['G0439', 'Annual wellness visit, subsequent'],
  ['J1885', 'Injection, ketorolac tromethamine, per 15 mg'],
  ['E0601', 'Continuous positive airway pressure device'],
  ['E1390', 'Oxygen concentrator'],
  ['A4253', 'Blood glucose test strips, per 50'],
  ['G0154', 'Direct skilled nursing services in home health setting'],
  ['Q5001', 'Hospice care provided in patient home'],
];

export const HCPCS_MODIFIERS = ['25', '59', 'LT', 'RT', 'GA', 'KX', 'NU', 'RR'];

export const NDC_DRUGS: ReadonlyArray<readonly [string, string]> = [
  ['00093505698', 'Atorvastatin Calcium 20 MG Oral Tablet'],
  ['00378018110', 'Lisinopril 10 MG Oral Tablet'],
  ['00093721301', 'Metformin Hydrochloride 500 MG Oral Tablet'],
  ['68180051301', 'Amlodipine Besylate 5 MG Oral Tablet'],
  ['00781223410', 'Omeprazole 20 MG Delayed Release Oral Capsule'],
  ['16729000117', 'Levothyroxine Sodium 50 MCG Oral Tablet'],
  ['00591571910', 'Sertraline 50 MG Oral Tablet'],
  ['00054327099', 'Furosemide 40 MG Oral Tablet'],
  ['65862017501', 'Losartan Potassium 50 MG Oral Tablet'],
  ['00228206710', 'Gabapentin 300 MG Oral Capsule'],
];

export const PROVIDER_TAXONOMY: ReadonlyArray<readonly [string, string]> = [
  ['207Q00000X', 'Family Medicine Physician'],
  ['207R00000X', 'Internal Medicine Physician'],
  ['207RC0000X', 'Cardiovascular Disease Physician'],
  ['363LF0000X', 'Family Nurse Practitioner'],
  ['208600000X', 'Surgery Physician'],
  ['207X00000X', 'Orthopaedic Surgery Physician'],
  ['225100000X', 'Physical Therapist'],
  ['183500000X', 'Pharmacist'],
];

export const REVENUE_CENTERS: ReadonlyArray<readonly [string, string]> = [
  ['0120', 'Room and board, semi-private'],
  ['0250', 'Pharmacy, general'],
  ['0300', 'Laboratory, general'],
  ['0320', 'Radiology, diagnostic'],
  ['0420', 'Physical therapy, general'],
  ['0450', 'Emergency room, general'],
  ['0551', 'Skilled nursing, visit charge'],
  ['0651', 'Hospice, routine home care'],
  ['0022', 'SNF claim, health insurance prospective payment system'],
];

export const PLACE_OF_SERVICE: ReadonlyArray<readonly [string, string]> = [
  ['11', 'Office'],
  ['12', 'Home'],
  ['21', 'Inpatient hospital'],
  ['22', 'Outpatient hospital'],
  ['23', 'Emergency room - hospital'],
  ['31', 'Skilled nursing facility'],
];

export const RACES: ReadonlyArray<readonly [string, string]> = [
  ['1', 'White'],
  ['2', 'Black'],
  ['3', 'Other'],
  ['4', 'Asian'],
  ['5', 'Hispanic'],
  ['6', 'North American Native'],
  ['0', 'Unknown'],
];
